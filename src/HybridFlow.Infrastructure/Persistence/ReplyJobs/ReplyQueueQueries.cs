using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// The outbox's depth, for the gauges read at scrape time. Each subquery spells out a partial index's set
/// (reply_jobs_due_idx, reply_jobs_in_flight_idx) from the Domain's, so the work is proportional to the queue, not to
/// the table's history.
/// </summary>
internal static class ReplyQueueQueries
{
    internal static readonly string DepthSql = $"""
        SELECT
            (SELECT count(*) FROM reply_jobs WHERE status IN ({ReplyJobSql.In(ReplyJobStatuses.Waiting)})) AS waiting,
            (SELECT count(*) FROM reply_jobs WHERE status IN ({ReplyJobSql.In(ReplyJobStatuses.Leased)}) AND kind IN ({ReplyJobSql.In(ReplyJobKindSets.Written)})) AS in_progress,
            (SELECT min(due_at) FROM reply_jobs WHERE status IN ({ReplyJobSql.In(ReplyJobStatuses.Waiting)}) AND due_at <= $1) AS oldest_due
        """;

    /// <summary>Jobs waiting (<see cref="ReplyJobStatuses.Waiting"/>), replies a worker holds, and the oldest due time of a waiting job.</summary>
    public static async Task<(long Waiting, long InProgress, DateTimeOffset? OldestDue)> ReadDepthAsync(NpgsqlConnection connection, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = connection.Command(DepthSql, null, now);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return (reader.GetInt64(reader.GetOrdinal("waiting")), reader.GetInt64(reader.GetOrdinal("in_progress")), reader.GetTimeOrNull(reader.GetOrdinal("oldest_due")));
    }
}
