using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Security;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// A preview reply's context (try the bot): the tenant's policy read as a reply job reads it (<see cref="InstanceColumns.Policy"/>),
/// its prompt, model and budget, and this month's platform tokens; no chat and no instance (their ids are 0).
/// </summary>
internal sealed class ReplyPreviewQueries : IReplyPreviewSource
{
    private readonly NpgsqlDataSource _db;
    private readonly SecretProtector _secrets;
    private readonly TimeProvider _time;

    public ReplyPreviewQueries(NpgsqlDataSource db, SecretProtector secrets, TimeProvider time)
    {
        _db = db;
        _secrets = secrets;
        _time = time;
    }

    public async Task<ReplyContext?> LoadAsync(long tenantId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition($"""
            SELECT {InstanceColumns.PolicySelect}, t.system_prompt, t.llm_provider, t.llm_model, t.monthly_token_budget,
                   COALESCE((SELECT mt.tokens FROM tenant_monthly_tokens mt WHERE mt.tenant_id = t.id AND mt.month = @month), 0) AS platform_tokens_month
            FROM tenants t
            WHERE t.id = @tenantId
            """, new { tenantId, month = new PgArg(LlmUsage.LlmUsageLedger.Month(_time.GetUtcNow()), NpgsqlTypes.NpgsqlDbType.Date) }, cancellationToken: ct));
        if (!await reader.ReadAsync(ct)) return null;
        var policy = InstanceColumns.Policy(reader.GetRowParser<InstanceColumns.Row>()(reader), _secrets);
        string? Text(string column) => reader.IsDBNull(reader.GetOrdinal(column)) ? null : reader.GetString(reader.GetOrdinal(column));
        var budget = reader.GetOrdinal("monthly_token_budget");
        return new ReplyContext(0, 0, "", new InstanceContext(0, "", "", null, null, policy), Text("system_prompt"), Text("llm_provider"), Text("llm_model"), [])
        {
            MonthlyTokenBudget = reader.IsDBNull(budget) ? null : reader.GetInt64(budget),
            PlatformTokensThisMonth = reader.GetInt64(reader.GetOrdinal("platform_tokens_month")),
        };
    }
}
