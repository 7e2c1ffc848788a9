using Dapper;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Reads inbox_events, which the triggers of V0013 write, with each event's message direction. The windows are on the
/// database's clock, like created_at: the rows are stamped by PostgreSQL, not by the service's TimeProvider.
/// (Inbox/InboxEventStore purges them.)
/// </summary>
internal sealed class InboxEventQueries
{
    private const string Columns =
        "e.id, e.type, e.tenant_id, e.session_id, e.message_id, e.note_id, e.assignee_user_id, e.previous_assignee_user_id, " +
        "e.occurred_at, e.assignment_changed, m.direction";
    /// <summary>The events with their message's direction (message.created).</summary>
    private const string Events = "inbox_events e LEFT JOIN messages m ON m.id = e.message_id";
    private readonly NpgsqlDataSource _db;

    public InboxEventQueries(NpgsqlDataSource db) => _db = db;

    /// <summary>The events with these ids, by id; ids not committed (or already purged) are left out.</summary>
    public Task<IReadOnlyList<InboxEvent>> ReadAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM {Events} WHERE e.id = ANY(@ids) ORDER BY e.id", new { ids = ids.ToArray() }, ct);

    /// <summary>Stored events above <paramref name="afterId"/> within <paramref name="window"/>, for one tenant or all.</summary>
    public Task<IReadOnlyList<InboxEvent>> ReplayAsync(long afterId, long? tenantId, TimeSpan window, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM {Events}
            WHERE e.id > @afterId AND e.created_at >= now() - @window AND (@tenantId::bigint IS NULL OR e.tenant_id = @tenantId)
            ORDER BY e.id LIMIT @limit
            """, new { afterId, window = PgArg.Interval(window), tenantId = PgArg.Bigint(tenantId), limit }, ct);

    /// <summary>The next events above <paramref name="afterId"/>, by id (the poller's read of what was committed since).</summary>
    public Task<IReadOnlyList<InboxEvent>> AfterAsync(long afterId, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM {Events} WHERE e.id > @afterId ORDER BY e.id LIMIT @limit", new { afterId, limit }, ct);

    /// <summary>The highest id stored so far (0 when none): where a poller that starts now begins.</summary>
    public async Task<long> HighestIdAsync(CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COALESCE(max(id), 0) FROM inbox_events", cancellationToken: ct));
    }

    private async Task<IReadOnlyList<InboxEvent>> QueryAsync(string sql, object args, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => new InboxEvent(r.Id, r.Type, r.TenantId, r.SessionId, r.MessageId, r.NoteId, r.AssigneeUserId,
            r.PreviousAssigneeUserId, r.OccurredAt, r.AssignmentChanged, r.Direction)).ToList();
    }

    private sealed class Row
    {
        public long Id { get; init; }
        public string Type { get; init; } = "";
        public long TenantId { get; init; }
        public long SessionId { get; init; }
        public long? MessageId { get; init; }
        public long? NoteId { get; init; }
        public long? AssigneeUserId { get; init; }
        public long? PreviousAssigneeUserId { get; init; }
        public DateTimeOffset OccurredAt { get; init; }
        public bool AssignmentChanged { get; init; }
        public string? Direction { get; init; }
    }
}
