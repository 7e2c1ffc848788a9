using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Messages;

public sealed class MediaMessageStore : IMediaMessageStore
{
    private readonly NpgsqlDataSource _db;

    public MediaMessageStore(NpgsqlDataSource db) => _db = db;

    public async Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(long jobId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The raw body (several kB) only for the media that need it.
        await using var cmd = connection.Command("""
            SELECT m.id, m.provider_message_id, m.message_type, m.text, m.media_text,
                   CASE WHEN m.message_type IN ('audioMessage', 'imageMessage') THEN m.raw::text END,
                   m.deleted_at IS NOT NULL
            FROM reply_jobs j JOIN messages m ON m.id = ANY (j.trigger_message_ids)
            WHERE j.id = $1
            ORDER BY date_trunc('second', m.sent_at), m.id
            """, null, jobId);
        var messages = new List<TriggerMessage>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
            messages.Add(new TriggerMessage(r.GetInt64(0), r.GetString(1), r.GetString(2), Str(r, 3), Str(r, 4), Str(r, 5), r.GetBoolean(6)));
        return messages;
    }

    public async Task SaveMediaTextAsync(long messageId, string mediaText, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("UPDATE messages SET media_text = $2 WHERE id = $1", null, messageId, mediaText);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task AddTimelineEventAsync(long messageId, string action, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
            SELECT tenant_id, session_id, id, $2, $3, $4 FROM messages WHERE id = $1
            """, null, messageId, action, detail, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
