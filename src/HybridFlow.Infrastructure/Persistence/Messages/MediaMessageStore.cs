using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Messages;

internal sealed class MediaMessageStore : IMediaMessageStore
{
    private readonly NpgsqlDataSource _db;

    public MediaMessageStore(NpgsqlDataSource db) => _db = db;

    public Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(long jobId, CancellationToken ct) =>
        ReplyContextQueries.LoadTriggerMessagesAsync(_db, jobId, ct);

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
}
