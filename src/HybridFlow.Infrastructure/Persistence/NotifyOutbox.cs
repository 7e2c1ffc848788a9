using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>The notify_deliveries outbox (V0009): claimed with SKIP LOCKED under a lease, fenced by the attempt.</summary>
public sealed class NotifyOutbox : INotifyOutbox
{
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;

    public NotifyOutbox(NpgsqlDataSource db, Security.SecretProtector secrets)
    {
        _db = db;
        _secrets = secrets;
    }

    public async Task<IReadOnlyList<PendingNotification>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // A claim whose drainer vanished comes back once its lease is over (still pending, locked_until passed).
        await using var cmd = connection.Command("""
            UPDATE notify_deliveries d SET attempts = d.attempts + 1, locked_until = $2, updated_at = $1
            WHERE d.id IN (
                SELECT id FROM notify_deliveries
                WHERE status = 'pending' AND due_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
                ORDER BY due_at, id
                LIMIT $3
                FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.session_id, d.delivery_id, d.url, d.url_trusted, d.signing_secret, d.payload::text, d.attempts
            """, null, now, now + lease, limit);
        var claimed = new List<PendingNotification>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var target = new NotifyTarget(r.GetString(4), _secrets.Unprotect(r.IsDBNull(6) ? null : r.GetString(6)), r.GetBoolean(5));
            claimed.Add(new PendingNotification(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetGuid(3).ToString("D"),
                target, r.GetString(7), r.GetInt32(8)));
        }
        return claimed;
    }

    public async Task MarkDeliveredAsync(PendingNotification delivery, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            UPDATE notify_deliveries SET status = 'delivered', locked_until = NULL, last_error = NULL, updated_at = $3
            WHERE id = $1 AND attempts = $2 AND status = 'pending'
            """, null, delivery.Id, delivery.Attempt, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task MarkFailedAsync(PendingNotification delivery, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            UPDATE notify_deliveries SET status = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'pending' END,
                                         due_at = COALESCE($3, due_at), locked_until = NULL, last_error = $4, updated_at = $5
            WHERE id = $1 AND attempts = $2 AND status = 'pending'
            """, null, delivery.Id, delivery.Attempt, SqlMapping.TimeOrNull(retryAt), error, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            "DELETE FROM notify_deliveries WHERE status IN ('delivered', 'dead') AND updated_at < $1", null, olderThan);
        return await cmd.ExecuteNonQueryAsync(ct);
    }
}
