using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>
/// The durable outbox of replies (kind <c>reply</c>: the model's, or a POST to the tenant's workflow). Job states:
/// pending/retrying -> processing -> sending -> sent, or dead/cancelled/discarded; a workflow job goes from processing
/// straight to sent. Sends made through the API are registered in the same table (kinds <c>api_bot</c>, <c>api_agent</c>,
/// born in status sending) so that one echo rule and one send sweep cover every message HybridFlow sends.
/// </summary>
public sealed class ReplyJobStore : IReplyJobStore
{
    /// <summary>How long a send may stay unconfirmed before the sweep settles it (sent if the echo proved it, dead otherwise).</summary>
    internal static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;
    private readonly HybridFlowMetrics _metrics;

    public ReplyJobStore(NpgsqlDataSource db, Security.SecretProtector secrets, HybridFlowMetrics metrics)
    {
        _db = db;
        _secrets = secrets;
        _metrics = metrics;
    }

    /// <summary>Serialises claims across replicas, so the per-chat and per-tenant limits hold exactly (a claim takes milliseconds).</summary>
    private const long ClaimLockKey = 0x4879_6272_436C_6169; // "HybrClai"

    public async Task<IReadOnlyList<ClaimedReplyJob>> ClaimDueBatchAsync(
        DateTimeOffset now, TimeSpan lease, int limit, int perTenantLimit, CancellationToken ct)
    {
        if (limit <= 0) return [];
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCmd = connection.Command("SELECT pg_advisory_xact_lock($1)", tx, ClaimLockKey))
            await lockCmd.ExecuteNonQueryAsync(ct);

        // in_flight: jobs some worker holds (live lease). A chat with one is skipped (one reply at a time per chat);
        // each tenant gets the slots its in-flight jobs leave; tenants interleave by their own rank, then due time.
        // The locking SELECT repeats the due condition so a row changed since the snapshot (cancelled, pushed back) is re-checked.
        await using var cmd = connection.Command("""
            WITH in_flight AS (
                SELECT tenant_id, session_id, kind FROM reply_jobs
                WHERE status IN ('processing', 'sending') AND locked_until > $1
            ),
            tenant_load AS (
                SELECT tenant_id, count(*) AS running FROM in_flight WHERE kind = 'reply' GROUP BY tenant_id
            ),
            due AS (
                SELECT j.id, j.tenant_id, j.due_at,
                       row_number() OVER (PARTITION BY j.session_id ORDER BY j.due_at, j.id) AS in_session
                FROM reply_jobs j
                WHERE ((j.status IN ('pending', 'retrying') AND j.due_at <= $1) OR (j.status = 'processing' AND j.locked_until <= $1))
                  AND NOT EXISTS (SELECT 1 FROM in_flight f WHERE f.session_id = j.session_id)
            ),
            ranked AS (
                SELECT d.id, d.due_at,
                       COALESCE(l.running, 0) + row_number() OVER (PARTITION BY d.tenant_id ORDER BY d.due_at, d.id) AS tenant_slot
                FROM due d LEFT JOIN tenant_load l ON l.tenant_id = d.tenant_id
                WHERE d.in_session = 1
            ),
            chosen AS (
                SELECT id FROM ranked WHERE tenant_slot <= $3 ORDER BY tenant_slot, due_at, id LIMIT $4
            ),
            locked AS (
                SELECT id FROM reply_jobs
                WHERE id IN (SELECT id FROM chosen)
                  AND ((status IN ('pending', 'retrying') AND due_at <= $1) OR (status = 'processing' AND locked_until <= $1))
                FOR UPDATE SKIP LOCKED
            )
            UPDATE reply_jobs j SET status = 'processing', attempts = j.attempts + 1, locked_until = $2, updated_at = $1
            FROM locked WHERE j.id = locked.id
            RETURNING j.id, j.session_id, j.attempts, j.correlation_id, j.due_at
            """, tx, now, now + lease, (long)perTenantLimit, (long)limit);
        var claimed = new List<(ClaimedReplyJob Job, DateTime DueAt)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                claimed.Add((new ClaimedReplyJob(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), Str(reader, 3)), reader.GetDateTime(4)));
        }
        await tx.CommitAsync(ct);
        // RETURNING has no order: hand them out oldest first.
        return claimed.OrderBy(c => c.DueAt).ThenBy(c => c.Job.JobId).Select(c => c.Job).ToList();
    }

    public async Task<int> RenewLeasesAsync(IReadOnlyCollection<ClaimedReplyJob> jobs, DateTimeOffset now, TimeSpan lease, CancellationToken ct)
    {
        if (jobs.Count == 0) return 0;
        await using var connection = await _db.OpenConnectionAsync(ct);
        // GREATEST: a send keeps its longer send lease; the attempt fences jobs another worker has taken over meanwhile.
        await using var cmd = connection.Command("""
            UPDATE reply_jobs j SET locked_until = GREATEST(j.locked_until, $1)
            FROM unnest($2::bigint[], $3::integer[]) AS held(id, attempt)
            WHERE j.id = held.id AND j.attempts = held.attempt AND j.status IN ('processing', 'sending')
            """, null, now + lease, jobs.Select(j => j.JobId).ToArray(), jobs.Select(j => j.Attempt).ToArray());
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task PostponeAsync(ClaimedReplyJob job, DateTimeOffset dueAt, string reason, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // 'retrying', not 'pending': a newer pending job of the chat may exist (one pending per session). attempts - 1 gives
        // the claim's attempt back; the fence still holds, since this worker lets go of the job here.
        long? tenantId;
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET status = 'retrying', attempts = attempts - 1, due_at = $3, last_error = $4, locked_until = NULL, updated_at = $5
            WHERE id = $1 AND attempts = $2 AND status = 'processing'
            RETURNING tenant_id
            """, tx, job.JobId, job.Attempt, dueAt, Truncate(reason), now))
            tenantId = await cmd.ExecuteScalarAsync(ct) as long?;
        if (tenantId is null) return; // cancelled meanwhile, or no longer ours

        await connection.InsertTimelineEventAsync(tx, tenantId.Value, job.SessionId, null, TimelineActions.AiRateLimited,
            Truncate($"waiting for the model provider until {dueAt:O}, no attempt used: {reason}"), now, ct);
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Postponed);
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
            var instance = SqlMapping.ReadInstance(r, 4, _secrets);
            historyLimit = Math.Max(1, instance.Tenant.HistoryMessages);
            context = new ReplyContext(job.JobId, job.SessionId, r.GetString(0), instance, Str(r, 1), Str(r, 2), Str(r, 3), []);
        }
        // A workflow job carries its own history (LoadWorkflowJobAsync); the model's prompt is not needed.
        if (context.Instance.Tenant.ReplyMode == HybridFlow.Domain.Tenants.ReplyMode.Workflow) return context;

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

    public Task<SendPermit> BeginSendAsync(ClaimedReplyJob job, string text, DateTimeOffset now, CancellationToken ct) =>
        BeginAsync(job, text, TimelineActions.AiDiscardedCollision, "a person spoke while the reply was being written", now, ct);

    public Task<SendPermit> BeginDispatchAsync(ClaimedReplyJob job, DateTimeOffset now, CancellationToken ct) =>
        BeginAsync(job, null, TimelineActions.WorkflowDiscardedCollision, "a person spoke before the event went to the workflow", now, ct);

    /// <summary>The collision re-check under the session lock; with <paramref name="sendText"/> the send is also registered (status sending).</summary>
    private async Task<SendPermit> BeginAsync(
        ClaimedReplyJob job, string? sendText, string collisionAction, string collisionDetail, DateTimeOffset now, CancellationToken ct)
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
                       reply_text = COALESCE($2, reply_text), locked_until = NULL, updated_at = $3
                WHERE id = $1
                """, tx, job.JobId, sendText ?? (object)new NullOf(NpgsqlDbType.Text), now))
                await cmd.ExecuteNonQueryAsync(ct);
            await connection.InsertTimelineEventAsync(tx, tenantId, job.SessionId, null, collisionAction, collisionDetail, now, ct);
            await tx.CommitAsync(ct);
            // A job cancelled while its reply was being written was counted as cancelled then.
            if (status != "cancelled") _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Discarded);
            return SendPermit.Collision;
        }

        if (sendText is not null)
        {
            await using var cmd = connection.Command(
                "UPDATE reply_jobs SET status = 'sending', reply_text = $2, locked_until = $3, updated_at = $4 WHERE id = $1",
                tx, job.JobId, sendText, now + SendLease, now);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return SendPermit.Granted;
    }

    public async Task CompleteSendAsync(ClaimedReplyJob job, string providerMessageId, string text, string rawJson, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Session first, then job: the webhook path locks in that order too (an early echo locks this job).
        await using (var cmd = connection.Command(
            "UPDATE sessions SET last_message_at = GREATEST(last_message_at, $2), updated_at = $2 WHERE id = $1", tx, job.SessionId, now))
            await cmd.ExecuteNonQueryAsync(ct);
        var (messageId, tenantId) = await connection.RecordSentMessageAsync(tx, job.JobId, job.SessionId,
            new NewChatMessage(providerMessageId, MessageDirection.Bot, "conversation", text, rawJson, now), ct);
        await connection.InsertTimelineEventAsync(tx, tenantId, job.SessionId, messageId, TimelineActions.AiReplied, null, now, ct);
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Sent);
    }

    public async Task<WorkflowJob?> LoadWorkflowJobAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        string deliveryId;
        string? url;
        bool urlTrusted;
        string? secret;
        long[] triggerIds;
        int historyLimit;
        await using (var cmd = connection.Command("""
            SELECT j.delivery_id, t.workflow_url, t.workflow_secret, j.trigger_message_ids, t.history_messages, t.workflow_url_trusted
            FROM reply_jobs j JOIN tenants t ON t.id = j.tenant_id
            WHERE j.id = $1
            """, null, job.JobId))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            deliveryId = r.GetGuid(0).ToString("D");
            url = Str(r, 1);
            secret = _secrets.Unprotect(Str(r, 2));
            triggerIds = r.GetFieldValue<long[]>(3);
            historyLimit = r.GetInt32(4);
            urlTrusted = r.GetBoolean(5);
        }

        var messages = new List<WorkflowEventMessage>();
        await using (var cmd = connection.Command("""
            SELECT provider_message_id, text, message_type, sent_at FROM messages
            WHERE id = ANY($1)
            ORDER BY date_trunc('second', sent_at), id
            """, null, triggerIds))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                messages.Add(new WorkflowEventMessage(r.GetString(0), Str(r, 1), r.GetString(2), SqlMapping.Time(r, 3)!.Value));
        }

        var history = new List<WorkflowHistoryMessage>();
        await using (var cmd = connection.Command("""
            SELECT direction, provider_message_id, text, message_type, sent_at FROM (
                SELECT direction, provider_message_id, text, message_type, sent_at, id FROM messages
                WHERE session_id = $1 AND text IS NOT NULL AND NOT (id = ANY($2))
                ORDER BY sent_at DESC, id DESC
                LIMIT $3) recent
            ORDER BY date_trunc('second', sent_at), id
            """, null, job.SessionId, triggerIds, historyLimit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
                history.Add(new WorkflowHistoryMessage(SqlMapping.ParseDirection(r.GetString(0)), r.GetString(1), Str(r, 2), r.GetString(3),
                    SqlMapping.Time(r, 4)!.Value));
        }
        return new WorkflowJob(deliveryId, url, secret, messages, history, urlTrusted);
    }

    public async Task CompleteDispatchAsync(ClaimedReplyJob job, string detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        // 'cancelled' too: a person spoke during the POST, but the workflow has the event all the same.
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET status = 'sent', last_error = NULL, locked_until = NULL, updated_at = $3
            WHERE id = $1 AND attempts = $2 AND status IN ('processing', 'cancelled')
            RETURNING tenant_id
            """, tx, job.JobId, job.Attempt, now))
        {
            if (await cmd.ExecuteScalarAsync(ct) is not long tenantId) return; // taken over by another worker after our lease ran out
            await connection.InsertTimelineEventAsync(tx, tenantId, job.SessionId, null, TimelineActions.WorkflowDelivered, detail, now, ct);
        }
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(HybridFlowMetrics.Outcomes.Sent);
    }

    public async Task RetryOrFailAsync(ClaimedReplyJob job, ReplyChannel channel, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken ct)
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

        var action = (channel, retryAt) switch
        {
            (ReplyChannel.Workflow, null) => TimelineActions.WorkflowFailed,
            (ReplyChannel.Workflow, _) => TimelineActions.WorkflowRetry,
            (_, null) => TimelineActions.AiFailed,
            _ => TimelineActions.AiRetry,
        };
        var detail = retryAt is null ? $"attempt {job.Attempt}: {error}" : $"attempt {job.Attempt} failed, retrying at {retryAt:O}: {error}";
        await connection.InsertTimelineEventAsync(tx, tenantId.Value, job.SessionId, null, action, Truncate(detail), now, ct);
        await tx.CommitAsync(ct);
        _metrics.ReplyJobFinished(retryAt is null ? HybridFlowMetrics.Outcomes.Dead : HybridFlowMetrics.Outcomes.Retry);
    }

    public async Task<int> ResolveAbandonedSendsAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var resolved = new List<(long Session, long Tenant, string Status, string Kind)>();
        await using (var cmd = connection.Command("""
            UPDATE reply_jobs SET
                status = CASE WHEN sent_provider_message_id IS NOT NULL THEN 'sent' ELSE 'dead' END,
                last_error = CASE WHEN sent_provider_message_id IS NOT NULL THEN last_error
                             ELSE 'send outcome unknown: the sender stopped or timed out during the send; not resent to avoid a double message' END,
                locked_until = NULL, updated_at = $1
            WHERE status = 'sending' AND locked_until <= $1
            RETURNING session_id, tenant_id, status, kind
            """, tx, now))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) resolved.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3)));

        foreach (var (session, tenant, status, kind) in resolved)
        {
            var (action, detail) = (kind, status) switch
            {
                ("reply", "sent") => (TimelineActions.AiReplied, "confirmed by the gateway's echo after the worker stopped"),
                ("reply", _) => (TimelineActions.AiFailed, "send outcome unknown after the worker stopped; not resent"),
                ("api_bot", "sent") => (TimelineActions.BotSent, "confirmed by the gateway's echo after the send call was interrupted"),
                (_, "sent") => (TimelineActions.Recorded, "agent message confirmed by the gateway's echo after the send call was interrupted"),
                _ => (TimelineActions.SendFailed, "send outcome unknown after the send call was interrupted; not resent"),
            };
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
