using Dapper;
using HybridFlow.Application.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The timeline merges two tables in SQL so paging stays exact. Ties on time put a message before the events it
/// caused (a message's sent_at has whole seconds, its event a few milliseconds more), then go by id.
/// </summary>
internal sealed class TimelineQueries : ITimelineQueries
{
    private readonly NpgsqlDataSource _db;

    public TimelineQueries(NpgsqlDataSource db) => _db = db;

    public async Task<long?> TenantOfSessionAsync(long sessionId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "SELECT tenant_id FROM sessions WHERE id = @sessionId", new { sessionId }, cancellationToken: ct));
    }

    public async Task<(IReadOnlyList<TimelineItemDto> Items, long Total)> PageAsync(long sessionId, int page, int pageSize, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            SELECT (SELECT count(*) FROM messages WHERE session_id = @sessionId) + (SELECT count(*) FROM session_events WHERE session_id = @sessionId)
            """, new { sessionId }, cancellationToken: ct));

        var rows = await connection.QueryAsync<Row>(new CommandDefinition("""
            SELECT kind, id, at, direction, message_type, text, provider_message_id, action, detail, message_id,
                   status, delivered_at, read_at, deleted_at, media_text FROM (
                SELECT 'message' AS kind, 0 AS kind_order, m.id, m.sent_at AS at, m.direction, m.message_type, m.text, m.provider_message_id,
                       NULL::text AS action, NULL::text AS detail, NULL::bigint AS message_id,
                       m.status, m.delivered_at, m.read_at, m.deleted_at, m.media_text
                FROM messages m WHERE m.session_id = @sessionId
                UNION ALL
                SELECT 'event', 1, e.id, e.created_at, NULL, NULL, NULL, NULL, e.action, e.detail, e.message_id,
                       NULL, NULL, NULL, NULL, NULL
                FROM session_events e WHERE e.session_id = @sessionId
            ) t
            ORDER BY at, kind_order, id
            LIMIT @pageSize OFFSET @offset
            """, new { sessionId, pageSize, offset = (long)(page - 1) * pageSize }, cancellationToken: ct));
        var items = rows.Select(r => new TimelineItemDto(
            r.Kind, r.Id, r.At, r.Direction, r.MessageType, r.Text, r.ProviderMessageId, r.Action, r.Detail, r.MessageId)
        {
            Status = r.Status,
            DeliveredAt = r.DeliveredAt,
            ReadAt = r.ReadAt,
            Deleted = r.Kind == TimelineItemKinds.Message ? r.DeletedAt is not null : null,
            DeletedAt = r.DeletedAt,
            MediaText = r.MediaText,
        }).ToList();
        return (items, total);
    }

    private sealed class Row
    {
        public string Kind { get; init; } = "";
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public string? Direction { get; init; }
        public string? MessageType { get; init; }
        public string? Text { get; init; }
        public string? ProviderMessageId { get; init; }
        public string? Action { get; init; }
        public string? Detail { get; init; }
        public long? MessageId { get; init; }
        public string? Status { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }
        public DateTimeOffset? DeletedAt { get; init; }
        public string? MediaText { get; init; }
    }
}
