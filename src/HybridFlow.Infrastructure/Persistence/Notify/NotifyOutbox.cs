using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common;
using HybridFlow.Domain.Handoffs;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Notify;

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
            RETURNING d.id, d.tenant_id, d.session_id, d.delivery_id, d.url, d.url_trusted, d.signing_secret, d.payload::text, d.attempts,
                      d.due_at, d.locked_until, d.last_error, d.updated_at
            """, null, now, now + lease, limit);
        var claimed = new List<PendingNotification>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var target = new NotifyTarget(r.GetString(4), _secrets.Unprotect(r.IsDBNull(6) ? null : r.GetString(6), SqlMapping.NotifySecret(r.GetGuid(3).ToString("D"))), r.GetBoolean(5));
            // Claimed in SQL (SKIP LOCKED across drainers); the row is pending with a live lease, which the domain calls delivering.
            var delivery = NotifyDelivery.Restore(r.GetInt64(0), NotifyDeliveryStatus.Delivering, r.GetInt32(8),
                r.GetFieldValue<DateTimeOffset>(9), r.GetFieldValue<DateTimeOffset>(10), r.IsDBNull(11) ? null : r.GetString(11), r.GetFieldValue<DateTimeOffset>(12));
            claimed.Add(new PendingNotification(r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetGuid(3).ToString("D"),
                target, r.GetString(7), delivery, r.GetInt32(8)));
        }
        return claimed;
    }

    public async Task SaveAsync(PendingNotification claimed, string? timelineDetail, CancellationToken ct)
    {
        var d = claimed.Delivery;
        var status = d.Status switch
        {
            NotifyDeliveryStatus.Delivered => "delivered",
            NotifyDeliveryStatus.Dead => "dead",
            _ => "pending",
        };
        await using var connection = await _db.OpenConnectionAsync(ct);
        // Fenced by the claimed attempt: a drainer whose lease ran out and was re-claimed changes nothing.
        await using var cmd = connection.Command("""
            WITH saved AS (
                UPDATE notify_deliveries SET status = $3, due_at = $4, locked_until = $5, last_error = $6, updated_at = $7
                WHERE id = $1 AND attempts = $2 AND status = 'pending'
                RETURNING tenant_id, session_id)
            INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
            SELECT tenant_id, session_id, NULL, $8, $9, $7 FROM saved WHERE $9::text IS NOT NULL AND session_id IS NOT NULL
            """, null, d.Id, claimed.Attempt, status, d.DueAt, SqlMapping.TimeOrNull(d.LockedUntil), SqlMapping.TextOrNull(d.LastError), d.UpdatedAt,
            TimelineActions.NotifyFailed, SqlMapping.TextOrNull(timelineDetail));
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
