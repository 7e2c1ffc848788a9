using HybridFlow.Application.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Timeline;

/// <summary>
/// The timeline merges two tables in SQL so paging stays exact. Ties on time put a message before the events it
/// caused (a message's sent_at has whole seconds, its event a few milliseconds more), then go by id.
/// </summary>
public sealed class TimelineQueries : ITimelineQueries
{
    private readonly NpgsqlDataSource _db;

    public TimelineQueries(NpgsqlDataSource db) => _db = db;

    public async Task<long?> TenantOfSessionAsync(long sessionId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("SELECT tenant_id FROM sessions WHERE id = $1", null, sessionId);
        return await cmd.ExecuteScalarAsync(ct) is long tenantId ? tenantId : null;
    }

    public async Task<(IReadOnlyList<TimelineItemDto> Items, long Total)> PageAsync(long sessionId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        long total;
        await using (var count = connection.Command("""
            SELECT (SELECT count(*) FROM messages WHERE session_id = $1) + (SELECT count(*) FROM session_events WHERE session_id = $1)
            """, null, sessionId))
            total = (long)(await count.ExecuteScalarAsync(ct))!;

        await using var cmd = connection.Command("""
            SELECT kind, id, at, direction, message_type, text, provider_message_id, action, detail, message_id,
                   status, delivered_at, read_at, deleted_at, media_text FROM (
                SELECT 'message' AS kind, 0 AS kind_order, m.id, m.sent_at AS at, m.direction, m.message_type, m.text, m.provider_message_id,
                       NULL::text AS action, NULL::text AS detail, NULL::bigint AS message_id,
                       m.status, m.delivered_at, m.read_at, m.deleted_at, m.media_text
                FROM messages m WHERE m.session_id = $1
                UNION ALL
                SELECT 'event', 1, e.id, e.created_at, NULL, NULL, NULL, NULL, e.action, e.detail, e.message_id,
                       NULL, NULL, NULL, NULL, NULL
                FROM session_events e WHERE e.session_id = $1
            ) t
            ORDER BY at, kind_order, id
            LIMIT $2 OFFSET $3
            """, null, sessionId, pageSize, (long)(page - 1) * pageSize);
        var items = new List<TimelineItemDto>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            items.Add(new TimelineItemDto(
                r.GetString(0), r.GetInt64(1), SqlMapping.Time(r, 2)!.Value,
                NullableString(r, 3), NullableString(r, 4), NullableString(r, 5), NullableString(r, 6),
                NullableString(r, 7), NullableString(r, 8), r.IsDBNull(9) ? null : r.GetInt64(9))
            {
                Status = NullableString(r, 10),
                DeliveredAt = SqlMapping.Time(r, 11),
                ReadAt = SqlMapping.Time(r, 12),
                Deleted = r.GetString(0) == TimelineItemKinds.Message ? !r.IsDBNull(13) : null,
                DeletedAt = SqlMapping.Time(r, 13),
                MediaText = NullableString(r, 14),
            });
        }
        return (items, total);
    }

    private static string? NullableString(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
