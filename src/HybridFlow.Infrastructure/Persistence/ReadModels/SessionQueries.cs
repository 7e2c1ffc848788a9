using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Sessions;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>The admin API's session reads (GET /api/sessions); "needs attention" is the reply-job owner's one definition.</summary>
internal sealed class SessionQueries : ISessionQueries
{
    private static readonly string Select = $"""
        SELECT s.id, s.tenant_id, i.instance_name, s.chat_id, s.is_paused, s.pause_reason, s.paused_until,
               s.last_message_at, s.last_human_at, s.created_at, s.updated_at, {ReplyJobSql.ChatNeedsAttention} AS needs_attention
        FROM sessions s
        JOIN instances i ON i.id = s.instance_id
        """;

    private readonly NpgsqlDataSource _db;

    public SessionQueries(NpgsqlDataSource db) => _db = db;

    public async Task<SessionDto?> FindAsync(SessionLocator locator, CancellationToken ct)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (locator.SessionId is { } id)
        {
            where.Add("s.id = @id");
            args.Add("id", id);
        }
        else
        {
            where.Add("i.instance_name = @instanceName AND s.chat_id = @chatId");
            args.Add("instanceName", locator.InstanceName);
            args.Add("chatId", locator.ChatId);
        }
        if (locator.TenantId is { } tenantId)
        {
            where.Add("s.tenant_id = @tenantId");
            args.Add("tenantId", tenantId);
        }

        await using var connection = await _db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<SessionRow>(new CommandDefinition(
            $"{Select} WHERE {SqlWhere.All(where)}", args, cancellationToken: ct));
        return row?.ToDto();
    }

    public async Task<(IReadOnlyList<SessionDto> Items, long Total)> ListAsync(
        long? tenantId, SessionFilter filter, int page, int pageSize, CancellationToken ct, string? pauseReason = null)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        if (tenantId is { } tenant)
        {
            where.Add("s.tenant_id = @tenantId");
            args.Add("tenantId", tenant);
        }
        switch (filter)
        {
            case SessionFilter.Active: where.Add("NOT s.is_paused"); break;
            case SessionFilter.Paused: where.Add("s.is_paused"); break;
            case SessionFilter.NeedsAttention: where.Add(ReplyJobSql.ChatNeedsAttention); break;
        }
        if (pauseReason is not null)
        {
            where.Add("s.is_paused AND s.pause_reason = @pauseReason");
            args.Add("pauseReason", pauseReason);
        }
        var condition = SqlWhere.All(where);
        args.Add("limit", pageSize);
        args.Add("offset", (long)(page - 1) * pageSize);

        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"""
            SELECT count(*) FROM sessions s WHERE {condition};
            {Select}
            WHERE {condition}
            ORDER BY COALESCE(s.last_message_at, s.created_at) DESC, s.id DESC
            LIMIT @limit OFFSET @offset
            """, args, cancellationToken: ct));
        var total = await results.ReadSingleAsync<long>();
        var rows = await results.ReadAsync<SessionRow>();
        return (rows.Select(r => r.ToDto()).ToList(), total);
    }

    private sealed class SessionRow
    {
        public long Id { get; init; }
        public long TenantId { get; init; }
        public string InstanceName { get; init; } = "";
        public string ChatId { get; init; } = "";
        public bool IsPaused { get; init; }
        public string? PauseReason { get; init; }
        public DateTimeOffset? PausedUntil { get; init; }
        public DateTimeOffset? LastMessageAt { get; init; }
        public DateTimeOffset? LastHumanAt { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
        public bool NeedsAttention { get; init; }

        public SessionDto ToDto() => new(Id, TenantId, InstanceName, ChatId, IsPaused, PauseReason, PausedUntil,
            LastMessageAt, LastHumanAt, CreatedAt, UpdatedAt, NeedsAttention);
    }

    public async Task<IReadOnlyList<(long SessionId, TimeSpan QuietPeriod)>> FindAutoResumeCandidatesAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = AutoResumeCandidatesCommand(connection, now, limit);
        var candidates = new List<(long, TimeSpan)>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        int id = reader.GetOrdinal("id"), resumeAfter = reader.GetOrdinal("resume_after_minutes");
        while (await reader.ReadAsync(ct)) candidates.Add((reader.GetInt64(id), TimeSpan.FromMinutes(reader.GetInt32(resumeAfter))));
        return candidates;
    }

    /// <summary>The paused chats due to be resumed: a takeover whose person went quiet, or a pause whose time is up.</summary>
    private static NpgsqlCommand AutoResumeCandidatesCommand(NpgsqlConnection c, DateTimeOffset now, int limit) => c.Command("""
        SELECT s.id, t.resume_after_minutes FROM sessions s JOIN tenants t ON t.id = s.tenant_id
        WHERE s.is_paused
          AND ((s.pause_reason = 'human_takeover' AND (s.last_human_at IS NULL OR s.last_human_at + make_interval(mins => t.resume_after_minutes) <= $1))
            OR (s.pause_reason IN ('manual', 'handoff_requested') AND s.paused_until <= $1))
        ORDER BY s.paused_until NULLS FIRST, s.id
        LIMIT $2
        """, null, now, limit);
}
