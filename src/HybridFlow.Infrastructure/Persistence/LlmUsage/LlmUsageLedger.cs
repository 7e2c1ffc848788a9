using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.LlmUsage;

/// <summary>
/// Stores each model call's tokens in one statement: added to its reply job's totals (any attempt: the tokens were
/// spent whoever holds the job now) and appended to llm_usage, which outlives the purge of finished jobs.
/// </summary>
internal sealed class LlmUsageLedger : ILlmUsageLedger
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
            await connection.ExecuteAsync(new CommandDefinition($"""
                WITH job AS (
                    {ReplyJobTokenTotals.AddCall}
                ), monthly AS (
                    INSERT INTO tenant_monthly_tokens AS m (tenant_id, month, tokens)
                    SELECT @tenant_id, @month, @input_tokens + @output_tokens WHERE @platform_account
                    ON CONFLICT (tenant_id, month) DO UPDATE SET tokens = m.tokens + EXCLUDED.tokens
                )
                INSERT INTO llm_usage (tenant_id, reply_job_id, purpose, provider, model, input_tokens, output_tokens, cached_input_tokens, created_at, platform_account)
                VALUES (@tenant_id, @job_id, @purpose, @provider, @model, @input_tokens, @output_tokens, @cached_input_tokens, @now, @platform_account)
                """, new Dictionary<string, object>
                {
                    ["tenant_id"] = call.TenantId, ["job_id"] = PgArg.Bigint(call.ReplyJobId), ["purpose"] = PurposeName(call.Purpose),
                    ["provider"] = provider, ["model"] = PgArg.Text(model), ["input_tokens"] = usage.InputTokens,
                    ["output_tokens"] = usage.OutputTokens, ["cached_input_tokens"] = usage.CachedInputTokens, ["now"] = PgArg.Time(now),
                    ["platform_account"] = call.PlatformAccount, ["month"] = new PgArg(Month(now), NpgsqlDbType.Date),
                }, cancellationToken: ct));
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
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT tokens FROM tenant_monthly_tokens WHERE tenant_id = @tenantId AND month = @month",
            new { tenantId, month = new PgArg(Month(monthStart), NpgsqlDbType.Date) }, cancellationToken: ct)) ?? 0;
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
