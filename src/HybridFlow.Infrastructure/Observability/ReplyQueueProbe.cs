using HybridFlow.Infrastructure.Persistence;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>
/// Reads the outbox's depth at scrape time. Each subquery repeats the predicate of a partial index on reply_jobs
/// (reply_jobs_due_idx, reply_jobs_in_flight_idx), so the work is proportional to the queue, not to the table's history.
/// </summary>
internal sealed class ReplyQueueProbe
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(3);
    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplyQueueProbe> _logger;

    public ReplyQueueProbe(NpgsqlDataSource db, TimeProvider time, ILogger<ReplyQueueProbe> logger)
    {
        _db = db;
        _time = time;
        _logger = logger;
    }

    /// <summary>Null when the database does not answer: the gauges are then left out of the scrape rather than reported as 0.</summary>
    public async Task<ReplyQueueSnapshot?> ReadAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(QueryTimeout);
        var now = _time.GetUtcNow();
        try
        {
            await using var connection = await _db.OpenConnectionAsync(timeout.Token);
            await using var cmd = connection.Command("""
                SELECT
                    (SELECT count(*) FROM reply_jobs WHERE status IN ('pending', 'retrying')),
                    (SELECT count(*) FROM reply_jobs WHERE status IN ('processing', 'sending') AND kind = 'reply'),
                    (SELECT min(due_at) FROM reply_jobs WHERE status IN ('pending', 'retrying') AND due_at <= $1)
                """, null, now);
            await using var reader = await cmd.ExecuteReaderAsync(timeout.Token);
            await reader.ReadAsync(timeout.Token);
            var oldestDue = SqlMapping.Time(reader, 2);
            var age = oldestDue is { } due && due < now ? now - due : TimeSpan.Zero;
            return new ReplyQueueSnapshot(reader.GetInt64(0), reader.GetInt64(1), age);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            _logger.LogWarning("Reply queue gauges skipped: the database did not answer ({error})", e.GetType().Name);
            return null;
        }
    }
}
