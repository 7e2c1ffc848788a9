using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Messages;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Messages;

/// <summary>
/// Receipts in one statement each: the UPDATE compares ranks in SQL (PostgreSQL re-evaluates it on the newest row version
/// when two receipts race), and when no message matched, the receipt is kept in pending_receipts instead. The insert
/// trigger of V0010 applies kept receipts to a message as it is recorded.
/// </summary>
internal sealed class MessageReceiptStore : IMessageReceiptStore
{
    private readonly NpgsqlDataSource _db;

    public MessageReceiptStore(WebhookDataSource db) => _db = db.Source;

    public async Task<ReceiptTarget> AdvanceStatusAsync(long instanceId, string providerMessageId, MessageStatus status, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // $3 rank, $4 name, $5 arrival, $6/$7 the ranks from which it means delivered / read.
        await using var cmd = connection.Command("""
            WITH updated AS (
                UPDATE messages SET
                    status = CASE WHEN $3 > status_rank THEN $4 ELSE status END,
                    status_rank = GREATEST(status_rank, $3),
                    delivered_at = CASE WHEN $3 >= $6 THEN COALESCE(delivered_at, $5) ELSE delivered_at END,
                    read_at = CASE WHEN $3 >= $7 THEN COALESCE(read_at, $5) ELSE read_at END
                WHERE instance_id = $1 AND provider_message_id = $2
                RETURNING id
            ), kept AS (
                INSERT INTO pending_receipts AS p (instance_id, provider_message_id, status, status_rank, delivered_at, read_at, received_at)
                SELECT $1, $2, $4, $3, CASE WHEN $3 >= $6 THEN $5 END, CASE WHEN $3 >= $7 THEN $5 END, $5
                WHERE NOT EXISTS (SELECT 1 FROM updated)
                ON CONFLICT (instance_id, provider_message_id) DO UPDATE SET
                    status = CASE WHEN EXCLUDED.status_rank > p.status_rank THEN EXCLUDED.status ELSE p.status END,
                    status_rank = GREATEST(p.status_rank, EXCLUDED.status_rank),
                    delivered_at = COALESCE(p.delivered_at, EXCLUDED.delivered_at),
                    read_at = COALESCE(p.read_at, EXCLUDED.read_at)
                RETURNING 1
            )
            SELECT EXISTS (SELECT 1 FROM updated)
            """, null, instanceId, providerMessageId, status.Rank, status.Name, at,
            MessageStatus.DeliveryAck.Rank, MessageStatus.Read.Rank);
        return (bool)(await cmd.ExecuteScalarAsync(ct))! ? ReceiptTarget.Message : ReceiptTarget.Pending;
    }

    public async Task<ReceiptTarget> MarkDeletedAsync(long instanceId, string providerMessageId, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The revoke arrives twice (messages.delete and the REVOKE upsert): only the first one reaches the timeline.
        await using var cmd = connection.Command($"""
            WITH target AS (
                SELECT id, deleted_at IS NULL AS first FROM messages WHERE instance_id = $1 AND provider_message_id = $2 FOR UPDATE
            ), updated AS (
                UPDATE messages m SET deleted_at = $3 FROM target WHERE m.id = target.id AND target.first
                RETURNING m.id, m.tenant_id, m.session_id
            ), noted AS (
                {TimelineEvents.Insert}
                SELECT tenant_id, session_id, id, '{TimelineActions.MessageDeleted}', NULL, $3 FROM updated
            ), kept AS (
                INSERT INTO pending_receipts AS p (instance_id, provider_message_id, deleted_at, received_at)
                SELECT $1, $2, $3, $3 WHERE NOT EXISTS (SELECT 1 FROM target)
                ON CONFLICT (instance_id, provider_message_id) DO UPDATE SET deleted_at = COALESCE(p.deleted_at, EXCLUDED.deleted_at)
            )
            SELECT EXISTS (SELECT 1 FROM target)
            """, null, instanceId, providerMessageId, at);
        return (bool)(await cmd.ExecuteScalarAsync(ct))! ? ReceiptTarget.Message : ReceiptTarget.Pending;
    }

    public async Task<ReceiptTarget> RecordFailureAsync(long instanceId, string providerMessageId, string detail, DateTimeOffset at, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // $3 the failure's rank (that of sent: it replaces a sent, never a delivery), $4 its name; only the first failure reaches the timeline.
        await using var cmd = connection.Command($"""
            WITH target AS (
                SELECT id FROM messages WHERE instance_id = $1 AND provider_message_id = $2 FOR UPDATE
            ), updated AS (
                UPDATE messages m SET status = $4, status_rank = $3
                FROM target WHERE m.id = target.id AND m.status_rank <= $3 AND m.status IS DISTINCT FROM $4
                RETURNING m.id, m.tenant_id, m.session_id
            ), noted AS (
                {TimelineEvents.Insert}
                SELECT tenant_id, session_id, id, '{TimelineActions.MessageFailed}', $5, $6 FROM updated
            ), kept AS (
                INSERT INTO pending_receipts AS p (instance_id, provider_message_id, status, status_rank, received_at)
                SELECT $1, $2, $4, $3, $6 WHERE NOT EXISTS (SELECT 1 FROM target)
                ON CONFLICT (instance_id, provider_message_id) DO UPDATE SET
                    status = CASE WHEN p.status_rank <= EXCLUDED.status_rank THEN EXCLUDED.status ELSE p.status END,
                    status_rank = GREATEST(p.status_rank, EXCLUDED.status_rank)
            )
            SELECT EXISTS (SELECT 1 FROM target)
            """, null, instanceId, providerMessageId, MessageStatus.Failed.Rank, MessageStatus.Failed.Name, detail, at);
        return (bool)(await cmd.ExecuteScalarAsync(ct))! ? ReceiptTarget.Message : ReceiptTarget.Pending;
    }

    public async Task<int> SettlePendingAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            WITH matched AS (
                DELETE FROM pending_receipts p USING messages m
                WHERE m.instance_id = p.instance_id AND m.provider_message_id = p.provider_message_id
                RETURNING m.id AS message_id, p.status, p.status_rank, p.delivered_at, p.read_at, p.deleted_at
            ), applied AS (
                UPDATE messages m SET
                    status = CASE WHEN matched.status_rank > m.status_rank THEN matched.status ELSE m.status END,
                    status_rank = GREATEST(m.status_rank, matched.status_rank),
                    delivered_at = COALESCE(m.delivered_at, matched.delivered_at),
                    read_at = COALESCE(m.read_at, matched.read_at),
                    deleted_at = COALESCE(m.deleted_at, matched.deleted_at)
                FROM matched WHERE m.id = matched.message_id
                RETURNING 1
            ), expired AS (
                DELETE FROM pending_receipts p WHERE p.received_at < $1
                  AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.instance_id = p.instance_id AND m.provider_message_id = p.provider_message_id)
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM applied) + (SELECT count(*) FROM expired)
            """, null, olderThan);
        return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
