using HybridFlow.Domain.Tenants;
using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common;
using HybridFlow.Domain.Handoffs;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Notify;

/// <summary>The notify_deliveries outbox (V0009): claimed with SKIP LOCKED under a lease, fenced by the attempt.</summary>
internal sealed class NotifyOutbox : INotifyOutbox
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
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition("""
            UPDATE notify_deliveries d SET attempts = d.attempts + 1, locked_until = @lockedUntil, updated_at = @now
            WHERE d.id IN (
                SELECT id FROM notify_deliveries
                WHERE status = 'pending' AND due_at <= @now AND (locked_until IS NULL OR locked_until <= @now)
                ORDER BY due_at, id
                LIMIT @limit
                FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.tenant_id, d.session_id, d.delivery_id, d.url, d.url_trusted, d.signing_secret, d.payload::text AS payload,
                      d.attempts, d.due_at, d.locked_until, d.last_error, d.updated_at
            """, new { now = PgArg.Time(now), lockedUntil = PgArg.Time(now + lease), limit }, cancellationToken: ct));
        var claimed = new List<PendingNotification>();
        foreach (var r in rows)
        {
            var deliveryId = r.DeliveryId.ToString("D");
            var target = new NotifyTarget(r.Url, _secrets.Unprotect(r.SigningSecret, SigningSecretContext(deliveryId)), r.UrlTrusted);
            // Claimed in SQL (SKIP LOCKED across drainers); the row is pending with a live lease, which the domain calls delivering.
            var delivery = NotifyDelivery.Restore(r.Id, NotifyDeliveryStatus.Delivering, r.Attempts, r.DueAt, r.LockedUntil, r.LastError, r.UpdatedAt);
            claimed.Add(new PendingNotification(r.TenantId, r.SessionId, deliveryId, target, r.Payload, delivery, r.Attempts));
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
        await connection.ExecuteAsync(new CommandDefinition($"""
            WITH saved AS (
                UPDATE notify_deliveries SET status = @status, due_at = @dueAt, locked_until = @lockedUntil, last_error = @lastError, updated_at = @updatedAt
                WHERE id = @id AND attempts = @attempt AND status = 'pending'
                RETURNING tenant_id, session_id)
            {TimelineEvents.Insert}
            SELECT tenant_id, session_id, NULL, @action, @detail, @updatedAt FROM saved WHERE @detail::text IS NOT NULL AND session_id IS NOT NULL
            """, new
            {
                id = d.Id, attempt = claimed.Attempt, status, dueAt = PgArg.Time(d.DueAt), lockedUntil = PgArg.Time(d.LockedUntil),
                lastError = PgArg.Text(d.LastError), updatedAt = PgArg.Time(d.UpdatedAt), action = TimelineActions.NotifyFailed, detail = PgArg.Text(timelineDetail),
            }, cancellationToken: ct));
    }

    public async Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM notify_deliveries WHERE status IN ('delivered', 'dead') AND updated_at < @olderThan",
            new { olderThan = PgArg.Time(olderThan) }, cancellationToken: ct));
    }

    /// <summary>The associated data of a queued notification's signing secret: bound to its delivery id (unique, known before the insert).</summary>
    internal static string SigningSecretContext(string deliveryId) =>
        Security.SecretProtector.Context("notify_deliveries", "signing_secret", Guid.TryParse(deliveryId, out var id) ? id.ToString("D") : deliveryId);

    private sealed class ClaimedRow
    {
        public long Id { get; init; }
        public long TenantId { get; init; }
        public long? SessionId { get; init; }
        public Guid DeliveryId { get; init; }
        public string Url { get; init; } = "";
        public bool UrlTrusted { get; init; }
        public string? SigningSecret { get; init; }
        public string Payload { get; init; } = "";
        public int Attempts { get; init; }
        public DateTimeOffset DueAt { get; init; }
        public DateTimeOffset? LockedUntil { get; init; }
        public string? LastError { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }
}
