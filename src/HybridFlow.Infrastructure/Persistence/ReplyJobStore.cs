using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>The durable outbox of replies. Job states: pending/retrying -> processing -> sending -> sent, or dead/cancelled/discarded.</summary>
public sealed class ReplyJobStore : IReplyJobStore
{
    private static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);
    private readonly NpgsqlDataSource _db;
    private readonly HybridFlowMetrics _metrics;

    public ReplyJobStore(NpgsqlDataSource db, HybridFlowMetrics metrics)
    {
        _db = db;
        _metrics = metrics;
    }

    public async Task<ClaimedReplyJob?> ClaimNextAsync(DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            UPDATE reply_jobs j SET status = 'processing', attempts = j.attempts + 1, locked_until = $2, updated_at = $1
            WHERE j.id = (
                SELECT id FROM reply_jobs
                WHERE (status IN ('pending', 'retrying') AND due_at <= $1) OR (status = 'processing' AND locked_until <= $1)
                ORDER BY due_at, id
                LIMIT 1
                FOR UPDATE SKIP LOCKED)
            RETURNING j.id, j.session_id, j.attempts, j.correlation_id
            """, null, now, now + lease);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new ClaimedReplyJob(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), Str(reader, 3)) : null;
    }

    public async Task<ReplyContext?> LoadContextAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        ReplyContext? context;
        int historyLimit;
        await using (var cmd = connection.Command($"""
            SELECT s.chat_id, t.system_prompt, t.llm_provider, t.llm_model, {SqlMapping.InstanceColumns}
            FROM reply_jobs j
            JOIN sessions s ON s.id = j.session_id
            JOIN instances i ON i.id = s.instance_id
            JOIN tenants t ON t.id = s.tenant_id
            WHERE j.id = $1
            """, null, job.JobId))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            var instance = SqlMapping.ReadInstance(r, 4);
            historyLimit = Math.Max(1, instance.Tenant.HistoryMessages);
            context = new ReplyContext(job.JobId, job.SessionId, r.GetString(0), instance, Str(r, 1), Str(r, 2), Str(r, 3), []);
        }

        var history = new List<ConversationTurn>();
        await using (var cmd = connection.Command("""
            SELECT direction, text FROM (
                SELECT direction, text, sent_at, id FROM messages
                WHERE session_id = $1 AND text IS NOT NULL
                ORDER BY sent_at DESC, id DESC
                LIMIT $2) recent
            -- WhatsApp times have whole seconds while ours are precise: within a second, arrival order decides.
            ORDER BY date_trunc('second', sent_at), id
            """, null, job.SessionId, historyLimit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                history.Add(new ConversationTurn(r.GetString(0) == "inbound" ? ConversationRole.Customer : ConversationRole.Assistant, r.GetString(1)));
        }
        return context with { History = history };
    }

    public async Task<SendPermit> BeginSendAsync(ClaimedReplyJob job, string text, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Session first, then job: the same lock order as the webhook path.
        long tenantId;
        bool isPaused;
        await using (var cmd = connection.Command("SELECT tenant_id, is_paused FROM sessions WHERE id = $1 FOR UPDATE", tx, job.SessionId))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return SendPermit.Lost;
            tenantId = r.GetInt64(0);
            isPaused = r.GetBoolean(1);
        }

        string status;
        int attempts;
        await using (var cmd = connection.Command("SELECT status, attempts FROM reply_jobs WHERE id = $1 FOR UPDATE", tx, job.JobId))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return SendPermit.Lost;
            status = r.GetString(0);
            attempts = r.GetInt32(1);
        }

        if (attempts != job.Attempt || (status != "processing" && status != "cancelled")) return SendPermit.Lost;

        if (isPaused || status == "cancelled")
        {
            await using (var cmd = connection.Command("""
                UPDATE reply_jobs SET status = CASE WHEN status = 'cancelled' THEN status ELSE 'discarded' END,
                       reply_text = $2, locked_until = NULL, updated_at = $3
                WHERE id = $1
                """, tx, job.JobId, text, now))
                await cmd.ExecuteNonQueryAsync(ct);
            await connection.InsertTimelineEventAsync(tx, tenantId, job.SessionId, null, TimelineActions.AiDiscardedCollision,
                "a person spoke while the reply was being written", now, ct);
            await tx.CommitAsync(ct);
            // A job cancelled while its reply was being written was counted as cancelled then.
            if (status != "cancelled") _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Discarded);
            return SendPermit.Collision;
        }

        await using (var cmd = connection.Command(
            "UPDATE reply_jobs SET status = 'sending', reply_text = $2, locked_until = $3, updated_at = $4 WHERE id = $1",
            tx, job.JobId, text, now + SendLease, now))
            await cmd.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return SendPermit.Granted;
    }

    public async Task CompleteSendAsync(ClaimedReplyJob job, string providerMessageId, string text, string rawJson, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        long messageId;
        long tenantId;
        // Session first, then job: the webhook path locks in that order too (an early echo locks this job).
        await using (var cmd = connection.Command(
            "UPDATE sessions SET last_message_at = GREATEST(last_message_at, $2), updated_at = $2 WHERE id = $1", tx, job.SessionId, now))
            await cmd.ExecuteNonQueryAsync(ct);
        await using (var cmd = connection.Command("""
            WITH inserted AS (
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
                SELECT s.tenant_id, s.instance_id, s.id, $2, 'bot', 'conversation', $3, $4, $5, now() FROM sessions s WHERE s.id = $1
                ON CONFLICT (instance_id, provider_message_id) DO NOTHING
                RETURNING id, tenant_id)
            SELECT id, tenant_id FROM inserted
            UNION ALL
            SELECT m.id, m.tenant_id FROM messages m JOIN sessions s ON s.instance_id = m.instance_id
            WHERE s.id = $1 AND m.provider_message_id = $2
            LIMIT 1
            """, tx, job.SessionId, providerMessageId, text, JsonbText.Sanitized(rawJson), now))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            messageId = r.GetInt64(0);
            tenantId = r.GetInt64(1);
        }

        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET status = 'sent', sent_provider_message_id = $2, sent_message_id = $3, locked_until = NULL, updated_at = $4
            WHERE id = $1
            """, tx, job.JobId, providerMessageId, messageId, now))
            await cmd.ExecuteNonQueryAsync(ct);
        await connection.InsertTimelineEventAsync(tx, tenantId, job.SessionId, messageId, TimelineActions.AiReplied, null, now, ct);
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Sent);
    }

    public async Task RetryOrFailAsync(ClaimedReplyJob job, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        long? tenantId;
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET status = CASE WHEN $3::timestamptz IS NULL THEN 'dead' ELSE 'retrying' END,
                   due_at = COALESCE($3, due_at), last_error = $4, locked_until = NULL, updated_at = $5
            WHERE id = $1 AND attempts = $2 AND status IN ('processing', 'sending')
            RETURNING tenant_id
            """, tx, job.JobId, job.Attempt, retryAt is { } at ? at : new NullOf(NpgsqlDbType.TimestampTz), Truncate(error), now))
            tenantId = await cmd.ExecuteScalarAsync(ct) as long?;
        if (tenantId is null) return; // no longer ours

        var action = retryAt is null ? TimelineActions.AiFailed : TimelineActions.AiRetry;
        var detail = retryAt is null ? $"attempt {job.Attempt}: {error}" : $"attempt {job.Attempt} failed, retrying at {retryAt:O}: {error}";
        await connection.InsertTimelineEventAsync(tx, tenantId.Value, job.SessionId, null, action, Truncate(detail), now, ct);
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(retryAt is null ? HybridFlowMetrics.Outcomes.Dead : HybridFlowMetrics.Outcomes.Retry);
    }

    public async Task<int> ResolveAbandonedSendsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var resolved = new List<(long Session, long Tenant, string Status)>();
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET
                status = CASE WHEN sent_provider_message_id IS NOT NULL THEN 'sent' ELSE 'dead' END,
                last_error = CASE WHEN sent_provider_message_id IS NOT NULL THEN last_error
                             ELSE 'send outcome unknown: the worker stopped during the send; not resent to avoid a double reply' END,
                locked_until = NULL, updated_at = $1
            WHERE status = 'sending' AND locked_until <= $1
            RETURNING session_id, tenant_id, status
            """, tx, now))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) resolved.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2)));

        foreach (var (session, tenant, status) in resolved)
        {
            var (action, detail) = status == "sent"
                ? (TimelineActions.AiReplied, "confirmed by the gateway's echo after the worker stopped")
                : (TimelineActions.AiFailed, "send outcome unknown after the worker stopped; not resent");
            await connection.InsertTimelineEventAsync(tx, tenant, session, null, action, detail, now, ct);
        }
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Sent, resolved.Count(r => r.Status == "sent"));
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Dead, resolved.Count(r => r.Status != "sent"));
        return resolved.Count;
    }

    public async Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            "DELETE FROM reply_jobs WHERE status IN ('sent', 'dead', 'cancelled', 'discarded') AND updated_at < $1", null, olderThan);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];
}
