using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;
using NpgsqlTypes;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;

namespace HybridFlow.Infrastructure.Persistence.Timeline;

/// <summary>A timeline event a shared transaction writes.</summary>
internal sealed record TimelineRow(long TenantId, long SessionId, long? MessageId, string Action, string? Detail, DateTimeOffset At);

/// <summary>The writes of session_events (the chat's timeline).</summary>
internal static class TimelineCommands
{
    private const string InsertTimelineEventSql =
        "INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

    private const string InsertTimelineSql = """
        INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
        """;

    /// <summary>Appends one timeline event, as one statement of a batch.</summary>
    public static NpgsqlBatchCommand TimelineEventCommand(long tenantId, long sessionId, long? messageId, string action, string? detail, DateTimeOffset now) =>
        PgCommands.BatchCommand(InsertTimelineEventSql, tenantId, sessionId, messageId ?? (object)new NullOf(NpgsqlDbType.Bigint), action, detail, now);

    /// <summary>A group's events in one statement (group commit).</summary>
    public static NpgsqlBatchCommand InsertTimeline(IReadOnlyList<TimelineRow> rows) => Command(InsertTimelineSql,
        Longs(rows, r => r.TenantId), Longs(rows, r => r.SessionId), NullableLongs(rows, r => r.MessageId), Texts(rows, r => r.Action),
        Texts(rows, r => r.Detail), Times(rows, r => r.At));
}
