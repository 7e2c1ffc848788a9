using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Observability;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.LlmUsage;

/// <summary>
/// Stores each model call's tokens in one statement: added to its reply job's totals (any attempt: the tokens were
/// spent whoever holds the job now) and appended to llm_usage, which outlives the purge of finished jobs.
/// </summary>
public sealed class LlmUsageLedger : ILlmUsageLedger
{
    private readonly NpgsqlDataSource _db;
    private readonly LlmOptions _options;
    private readonly HybridFlowMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<LlmUsageLedger> _logger;

    public LlmUsageLedger(NpgsqlDataSource db, LlmOptions options, HybridFlowMetrics metrics, TimeProvider time, ILogger<LlmUsageLedger> logger)
    {
        _db = db;
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task RecordAsync(LlmCall call, TokenUsage usage, CancellationToken ct)
    {
        var (provider, model) = Resolve(call);
        _metrics.LlmTokensUsed(provider, MetricModel(provider, model), usage);
        try
        {
            await using var connection = await _db.OpenConnectionAsync(ct);
            var now = _time.GetUtcNow();
            await using var cmd = connection.Command("""
                WITH job AS (
                    UPDATE reply_jobs SET llm_provider = $4, llm_model = $5, llm_calls = llm_calls + 1,
                        input_tokens = input_tokens + $6, output_tokens = output_tokens + $7, cached_input_tokens = cached_input_tokens + $8
                    WHERE id = $2
                ), monthly AS (
                    INSERT INTO tenant_monthly_tokens AS m (tenant_id, month, tokens)
                    SELECT $1, $11, $6 + $7 WHERE $10
                    ON CONFLICT (tenant_id, month) DO UPDATE SET tokens = m.tokens + EXCLUDED.tokens
                )
                INSERT INTO llm_usage (tenant_id, reply_job_id, purpose, provider, model, input_tokens, output_tokens, cached_input_tokens, created_at, platform_account)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """, null, call.TenantId, call.ReplyJobId is { } jobId ? jobId : new NullOf(NpgsqlDbType.Bigint), PurposeName(call.Purpose),
                provider, SqlMapping.TextOrNull(model), usage.InputTokens, usage.OutputTokens, usage.CachedInputTokens, now,
                call.PlatformAccount, Month(now));
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !ct.IsCancellationRequested)
        {
            // The reply still goes out: failing the job here would make it call the model (and pay) again.
            _logger.LogWarning("Token usage of reply job {reply_job_id} not recorded: {error}", call.ReplyJobId, e.Message);
        }
    }

    public async Task<long> PlatformTokensAsync(long tenantId, DateTimeOffset monthStart, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            "SELECT tokens FROM tenant_monthly_tokens WHERE tenant_id = $1 AND month = $2", null, tenantId, Month(monthStart));
        return await cmd.ExecuteScalarAsync(ct) is long tokens ? tokens : 0;
    }

    /// <summary>The <c>tenant_monthly_tokens.month</c> that <paramref name="at"/> counts in.</summary>
    internal static DateOnly Month(DateTimeOffset at) => DateOnly.FromDateTime(HybridFlow.Domain.Tenants.TokenBudget.MonthStart(at).UtcDateTime);

    /// <summary>The provider and model that answered, as the router picks them: the tenant's, else the environment's.</summary>
    internal (string Provider, string? Model) Resolve(LlmCall call)
    {
        var provider = _options.ProviderFor(call.Provider) ?? "unknown";
        return (provider, _options.ModelFor(provider, call.Model));
    }

    /// <summary>Tenants may name any model: only the configured ones get their own series, the rest count as "other".</summary>
    private string MetricModel(string provider, string? model) => model switch
    {
        null => "none",
        _ when provider == LlmOptions.OpenAiProvider && model == _options.OpenAiModel => model,
        _ when provider == LlmOptions.AnthropicProvider && model == _options.AnthropicModel => model,
        _ => "other",
    };

    private static string PurposeName(LlmCallPurpose purpose) => purpose switch
    {
        LlmCallPurpose.Transcription => "transcription",
        LlmCallPurpose.Vision => "vision",
        _ => "reply",
    };
}
