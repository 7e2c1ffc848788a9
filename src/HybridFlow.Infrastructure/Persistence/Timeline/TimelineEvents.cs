using Npgsql;
using NpgsqlTypes;
using HybridFlow.Infrastructure.Persistence.Postgres;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;

namespace HybridFlow.Infrastructure.Persistence.Timeline;

/// <summary>A timeline event a shared transaction writes.</summary>
internal sealed record TimelineRow(long TenantId, long SessionId, long? MessageId, string Action, string? Detail, DateTimeOffset At);

/// <summary>
/// The one writer of session_events (the timeline). Other owners' statements that note an event in the same statement
/// (a CTE) take its insert from here, followed by their own SELECT of the six columns.
/// </summary>
internal static class TimelineEvents
{
    /// <summary>The insert's head: follow it with VALUES or a SELECT of tenant_id, session_id, message_id, action, detail, created_at.</summary>
    public const string Insert = "INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)";

    /// <summary>Appends one event, as one statement of the caller's batch.</summary>
    public static NpgsqlBatchCommand Command(long tenantId, long sessionId, long? messageId, string action, string? detail, DateTimeOffset now) =>
        new($"{Insert} VALUES ($1, $2, $3, $4, $5, $6)")
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = sessionId },
                new NpgsqlParameter { Value = messageId ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
                new NpgsqlParameter { Value = action },
                new NpgsqlParameter { Value = detail ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
                new NpgsqlParameter { Value = now.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };

    /// <summary>A group's events in one statement (group commit).</summary>
    public static NpgsqlBatchCommand InsertMany(IReadOnlyList<TimelineRow> rows) => PgArrays.Command(
        $"{Insert} SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])",
        Longs(rows, r => r.TenantId), Longs(rows, r => r.SessionId), NullableLongs(rows, r => r.MessageId), Texts(rows, r => r.Action),
        Texts(rows, r => r.Detail), Times(rows, r => r.At));
}
