using HybridFlow.Application.Inbox.Events;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>
/// Reads inbox_events, which the triggers of V0013 write. The windows are on the database's clock, like created_at:
/// the rows are stamped by PostgreSQL, not by the service's TimeProvider.
/// </summary>
public sealed class InboxEventStore
{
    private const string Columns = "e.id, e.type, e.tenant_id, e.session_id, e.message_id, e.note_id, e.assignee_user_id, e.previous_assignee_user_id, e.occurred_at, e.assignment_changed, m.direction";
    /// <summary>The events with their message's direction (message.created).</summary>
    private const string Events = "inbox_events e LEFT JOIN messages m ON m.id = e.message_id";
    private readonly NpgsqlDataSource _db;

    public InboxEventStore(NpgsqlDataSource db) => _db = db;

    /// <summary>The events with these ids, by id; ids not committed (or already purged) are left out.</summary>
    public Task<IReadOnlyList<InboxEvent>> ReadAsync(IReadOnlyCollection<long> ids, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM {Events} WHERE e.id = ANY($1) ORDER BY e.id", ct,
            new NpgsqlParameter { Value = ids.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });

    /// <summary>Stored events above <paramref name="afterId"/> within <paramref name="window"/>, for one tenant or all.</summary>
    public Task<IReadOnlyList<InboxEvent>> ReplayAsync(long afterId, long? tenantId, TimeSpan window, int limit, CancellationToken ct) =>
        QueryAsync($"""
            SELECT {Columns} FROM {Events}
            WHERE e.id > $1 AND e.created_at >= now() - $2 AND ($3::bigint IS NULL OR e.tenant_id = $3)
            ORDER BY e.id LIMIT $4
            """, ct, new NpgsqlParameter { Value = afterId }, new NpgsqlParameter { Value = window, NpgsqlDbType = NpgsqlDbType.Interval },
            new NpgsqlParameter { Value = tenantId ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint }, new NpgsqlParameter { Value = limit });

    /// <summary>The next events above <paramref name="afterId"/>, by id (the poller's read of what was committed since).</summary>
    public Task<IReadOnlyList<InboxEvent>> AfterAsync(long afterId, int limit, CancellationToken ct) =>
        QueryAsync($"SELECT {Columns} FROM {Events} WHERE e.id > $1 ORDER BY e.id LIMIT $2", ct,
            new NpgsqlParameter { Value = afterId }, new NpgsqlParameter { Value = limit });

    /// <summary>The highest id stored so far (0 when none): where a poller that starts now begins.</summary>
    public async Task<long> HighestIdAsync(CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("SELECT COALESCE(max(id), 0) FROM inbox_events", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task<int> PurgeAsync(TimeSpan keep, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand("DELETE FROM inbox_events WHERE created_at < now() - $1", connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = keep, NpgsqlDbType = NpgsqlDbType.Interval });
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<IReadOnlyList<InboxEvent>> QueryAsync(string sql, CancellationToken ct, params NpgsqlParameter[] parameters)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddRange(parameters);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var events = new List<InboxEvent>();
        while (await r.ReadAsync(ct))
        {
            events.Add(new InboxEvent(
                Id: r.GetInt64(0),
                Type: r.GetString(1),
                TenantId: r.GetInt64(2),
                SessionId: r.GetInt64(3),
                MessageId: r.IsDBNull(4) ? null : r.GetInt64(4),
                NoteId: r.IsDBNull(5) ? null : r.GetInt64(5),
                AssigneeUserId: r.IsDBNull(6) ? null : r.GetInt64(6),
                PreviousAssigneeUserId: r.IsDBNull(7) ? null : r.GetInt64(7),
                At: SqlMapping.Time(r, 8)!.Value,
                AssignmentChanged: r.GetBoolean(9),
                Direction: r.IsDBNull(10) ? null : r.GetString(10)));
        }
        return events;
    }
}
