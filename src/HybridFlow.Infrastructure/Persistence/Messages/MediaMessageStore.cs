using HybridFlow.Infrastructure.Persistence.Postgres;
using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Messages;

internal sealed class MediaMessageStore : IMediaMessageStore
{
    private readonly NpgsqlDataSource _db;

    public MediaMessageStore(NpgsqlDataSource db) => _db = db;

    public async Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(long jobId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The raw body (several kB) only for the media that need it.
        var rows = await connection.QueryAsync<TriggerMessageRow>(new CommandDefinition("""
            SELECT m.id, m.provider_message_id, m.message_type, m.text, m.media_text,
                   CASE WHEN m.message_type IN ('audioMessage', 'imageMessage') OR m.provider_media_id IS NOT NULL THEN m.raw::text END AS raw_json,
                   m.deleted_at IS NOT NULL AS deleted, m.provider_media_id
            FROM reply_jobs j JOIN messages m ON m.id = ANY (j.trigger_message_ids)
            WHERE j.id = @jobId
            ORDER BY date_trunc('second', m.sent_at), m.id
            """, new { jobId }, cancellationToken: ct));
        return rows.Select(r => new TriggerMessage(r.Id, r.ProviderMessageId, r.MessageType, r.Text, r.MediaText, r.RawJson, r.Deleted, r.ProviderMediaId)).ToList();
    }

    public async Task SaveMediaTextAsync(long messageId, string mediaText, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE messages SET media_text = @mediaText WHERE id = @messageId", new { messageId, mediaText }, cancellationToken: ct));
    }

    public async Task AddTimelineEventAsync(long messageId, string action, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition($"""
            {TimelineEvents.Insert}
            SELECT tenant_id, session_id, id, @action, @detail, @now FROM messages WHERE id = @messageId
            """, new { messageId, action, detail = PgArg.Text(detail), now = PgArg.Time(now) }, cancellationToken: ct));
    }

    private sealed class TriggerMessageRow
    {
        public long Id { get; init; }
        public string ProviderMessageId { get; init; } = "";
        public string MessageType { get; init; } = "";
        public string? Text { get; init; }
        public string? MediaText { get; init; }
        public string? RawJson { get; init; }
        public bool Deleted { get; init; }
        public string? ProviderMediaId { get; init; }
    }
}
