using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>
/// The durable outbox of replies (kind <c>reply</c>: the model's, or a POST to the tenant's workflow): claiming due jobs
/// and reading what they need. Their lifecycle is the Domain's <see cref="HybridFlow.Domain.Replies.ReplyJob"/>; every
/// step from the collision check on (the send, its failures, its proof) is a unit of work of the job's chat
/// (<see cref="ChatTransactions.ChatUnitOfWork"/>), as for the send-message API's sends.
/// </summary>
internal sealed class ReplyJobStore : IReplyJobStore
{
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;
    private readonly HybridFlowMetrics _metrics;
    private readonly TimeProvider _time;

    public ReplyJobStore(NpgsqlDataSource db, Security.SecretProtector secrets, HybridFlowMetrics metrics, TimeProvider time)
    {
        _db = db;
        _secrets = secrets;
        _metrics = metrics;
        _time = time;
    }

    public Task<IReadOnlyList<UnresolvedSend>> ClaimUnresolvedSendsAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct) =>
        SendLedger.ClaimUnresolvedAsync(_db, _secrets, now, lease, limit, ct);

    /// <summary>
    /// The worker's claim, <see cref="ReplyJob.IsClaimable"/> for many jobs at once, with the chat's and the tenant's limits
    /// (<see cref="ReplyJob.IsInFlight"/>, <see cref="ReplyJob.TakesTenantSlot"/>). The scans spell the Domain's sets out
    /// (<see cref="ReplyJobSql.In(IReadOnlySet{ReplyJobStatus})"/>) so that PostgreSQL proves reply_jobs_due_idx,
    /// reply_jobs_in_flight_idx and reply_jobs_unresolved_idx usable in any plan; the rest binds them.
    /// </summary>
    internal static readonly string ClaimDueSql = $"""
        WITH in_flight AS (
            SELECT tenant_id, session_id, kind, status = ANY($5) AS holds_slot FROM reply_jobs
            WHERE (status IN ({ReplyJobSql.In(ReplyJobStatuses.Leased)}) AND locked_until > $1) OR status IN ({ReplyJobSql.In(ReplyJobStatuses.AwaitingProof)})
        ),
        tenant_load AS (
            SELECT tenant_id, count(*) AS running FROM in_flight WHERE kind = ANY($6) AND holds_slot GROUP BY tenant_id
        ),
        due AS (
            SELECT j.id, j.tenant_id, j.due_at,
                   row_number() OVER (PARTITION BY j.session_id ORDER BY j.due_at, j.id) AS in_session
            FROM reply_jobs j
            WHERE ((j.status IN ({ReplyJobSql.In(ReplyJobStatuses.Waiting)}) AND j.due_at <= $1)
                   OR (j.status IN ({ReplyJobSql.In(ReplyJobStatuses.ReclaimedAfterLease)}) AND j.locked_until <= $1))
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
              AND ((status = ANY($7) AND due_at <= $1) OR (status = ANY($8) AND locked_until <= $1))
            FOR UPDATE SKIP LOCKED
        )
        UPDATE reply_jobs j SET status = $9, attempts = j.attempts + 1, locked_until = $2, updated_at = $1
        FROM locked WHERE j.id = locked.id
        RETURNING j.id, j.session_id, j.attempts, j.correlation_id, j.due_at, j.part_index > 0 AS has_sent_parts
        """;

    internal static NpgsqlCommand ClaimDueCommand(NpgsqlConnection connection, NpgsqlTransaction? tx, DateTimeOffset now, TimeSpan lease,
        int perTenantLimit, int limit) => connection.Command(ClaimDueSql, tx, now, now + lease, (long)perTenantLimit, (long)limit,
            ReplyJobSql.Statuses(ReplyJobStatuses.Leased), ReplyJobSql.Kinds(ReplyJobKindSets.Written),
            ReplyJobSql.Statuses(ReplyJobStatuses.Waiting), ReplyJobSql.Statuses(ReplyJobStatuses.ReclaimedAfterLease), ReplyJobStatus.Processing.ToName());

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

        // in_flight: jobs some worker holds (live lease), and sends still waiting for proof. A chat with one is skipped (one reply at a time per chat);
        // each tenant gets the slots its in-flight jobs leave; tenants interleave by their own rank, then due time.
        // The locking SELECT repeats the due condition so a row changed since the snapshot (cancelled, pushed back) is re-checked.
        await using var cmd = ClaimDueCommand(connection, tx, now, lease, perTenantLimit, limit);
        var claimed = new List<(ClaimedReplyJob Job, DateTime DueAt)>();
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            int id = reader.GetOrdinal("id"), sessionId = reader.GetOrdinal("session_id"), attempts = reader.GetOrdinal("attempts"),
                correlationId = reader.GetOrdinal("correlation_id"), dueAt = reader.GetOrdinal("due_at"), hasSentParts = reader.GetOrdinal("has_sent_parts");
            while (await reader.ReadAsync(ct))
                claimed.Add((new ClaimedReplyJob(reader.GetInt64(id), reader.GetInt64(sessionId), reader.GetInt32(attempts), reader.GetTextOrNull(correlationId),
                    reader.GetBoolean(hasSentParts)), reader.GetDateTime(dueAt)));
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
            WHERE j.id = held.id AND j.attempts = held.attempt AND j.status = ANY($4)
            """, null, now + lease, jobs.Select(j => j.JobId).ToArray(), jobs.Select(j => j.Attempt).ToArray(), ReplyJobSql.Statuses(ReplyJobStatuses.Leased));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<ReplyContext?> LoadContextAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        ReplyContext? context;
        int historyLimit;
        await using (var cmd = connection.Command($"""
            SELECT s.chat_id, t.system_prompt, t.llm_provider, t.llm_model, {InstanceColumns.Select}, j.kind, j.reply_text,
                   EXISTS (SELECT 1 FROM messages m WHERE m.id = ANY (j.trigger_message_ids)
                           AND (m.message_type IN ('audioMessage', 'imageMessage') OR m.provider_media_id IS NOT NULL)) AS has_media,
                   t.monthly_token_budget,
                   COALESCE((SELECT mt.tokens FROM tenant_monthly_tokens mt WHERE mt.tenant_id = t.id AND mt.month = $2), 0) AS platform_tokens_month,
                   -- WhatsApp's 24-hour window (Cloud API only) is counted from the customer's last message, read here, not kept by the webhook.
                   CASE WHEN i.provider = 'meta_cloud' THEN (
                       SELECT cm.sent_at FROM messages cm WHERE cm.session_id = s.id AND cm.direction = 'inbound'
                       ORDER BY cm.sent_at DESC, cm.id DESC LIMIT 1) END AS last_customer_message_at
            FROM reply_jobs j
            JOIN sessions s ON s.id = j.session_id
            JOIN instances i ON i.id = s.instance_id
            JOIN tenants t ON t.id = s.tenant_id
            WHERE j.id = $1
            """, null, job.JobId, LlmUsage.LlmUsageLedger.Month(_time.GetUtcNow())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            var instance = InstanceColumns.Read(r, _secrets);
            historyLimit = Math.Max(1, instance.Tenant.HistoryMessages);
            var kind = ReplyJobNames.ParseKind(r.GetString(r.GetOrdinal("kind")));
            context = new ReplyContext(job.JobId, job.SessionId, r.GetString(r.GetOrdinal("chat_id")), instance, Str(r, "system_prompt"), Str(r, "llm_provider"),
                Str(r, "llm_model"), [], kind, Str(r, "reply_text"), r.GetBoolean(r.GetOrdinal("has_media")))
            {
                MonthlyTokenBudget = r.IsDBNull(r.GetOrdinal("monthly_token_budget")) ? null : r.GetInt64(r.GetOrdinal("monthly_token_budget")),
                PlatformTokensThisMonth = r.GetInt64(r.GetOrdinal("platform_tokens_month")),
                LastCustomerMessageAt = r.GetTimeOrNull(r.GetOrdinal("last_customer_message_at")),
            };
        }
        // A notice's text was set when it was queued.
        if (context.Kind != HybridFlow.Domain.Replies.ReplyJobKind.Reply) return context;
        // A workflow job carries its own history (LoadWorkflowJobAsync); the model's prompt is not needed.
        if (context.Instance.Tenant.ReplyMode == HybridFlow.Domain.Tenants.ReplyMode.Workflow) return context;

        var history = new List<ConversationTurn>();
        await using (var cmd = connection.Command("""
            SELECT direction, turn_text, id FROM (
                -- A deleted message is gone for the model too; a voice note or photo speaks through its media text.
                SELECT direction, COALESCE(media_text, text) AS turn_text, sent_at, id FROM messages
                WHERE session_id = $1 AND COALESCE(media_text, text) IS NOT NULL AND deleted_at IS NULL
                ORDER BY sent_at DESC, id DESC
                LIMIT $2) recent
            -- WhatsApp times have whole seconds while ours are precise: within a second, arrival order decides.
            ORDER BY date_trunc('second', sent_at), id
            """, null, job.SessionId, historyLimit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            int direction = r.GetOrdinal("direction"), turnText = r.GetOrdinal("turn_text"), id = r.GetOrdinal("id");
            while (await r.ReadAsync(ct))
                history.Add(new ConversationTurn(r.GetString(direction) == "inbound" ? ConversationRole.Customer : ConversationRole.Assistant, r.GetString(turnText),
                    MessageId: r.GetInt64(id)));
        }
        return context with { History = history };
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
            SELECT j.delivery_id, t.workflow_url, t.workflow_secret, j.trigger_message_ids, t.history_messages, t.workflow_url_trusted, t.id AS tenant_id
            FROM reply_jobs j JOIN tenants t ON t.id = j.tenant_id
            WHERE j.id = $1
            """, null, job.JobId))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            deliveryId = r.GetGuid(r.GetOrdinal("delivery_id")).ToString("D");
            url = Str(r, "workflow_url");
            secret = _secrets.Unprotect(Str(r, "workflow_secret"), Tenants.TenantSecrets.Context("workflow_secret", r.GetInt64(r.GetOrdinal("tenant_id"))));
            triggerIds = r.GetFieldValue<long[]>(r.GetOrdinal("trigger_message_ids"));
            historyLimit = r.GetInt32(r.GetOrdinal("history_messages"));
            urlTrusted = r.GetBoolean(r.GetOrdinal("workflow_url_trusted"));
        }

        var messages = new List<WorkflowEventMessage>();
        await using (var cmd = connection.Command("""
            SELECT provider_message_id, text, message_type, sent_at FROM messages
            WHERE id = ANY($1)
            ORDER BY date_trunc('second', sent_at), id
            """, null, triggerIds))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            int providerMessageId = r.GetOrdinal("provider_message_id"), text = r.GetOrdinal("text"), messageType = r.GetOrdinal("message_type"),
                sentAt = r.GetOrdinal("sent_at");
            while (await r.ReadAsync(ct))
                messages.Add(new WorkflowEventMessage(r.GetString(providerMessageId), r.GetTextOrNull(text), r.GetString(messageType), r.GetTimeOrNull(sentAt)!.Value));
        }

        var history = new List<WorkflowHistoryMessage>();
        await using (var cmd = connection.Command("""
            SELECT direction, provider_message_id, text, message_type, sent_at FROM (
                SELECT direction, provider_message_id, text, message_type, sent_at, id FROM messages
                WHERE session_id = $1 AND text IS NOT NULL AND deleted_at IS NULL AND NOT (id = ANY($2))
                ORDER BY sent_at DESC, id DESC
                LIMIT $3) recent
            ORDER BY date_trunc('second', sent_at), id
            """, null, job.SessionId, triggerIds, historyLimit))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            int direction = r.GetOrdinal("direction"), providerMessageId = r.GetOrdinal("provider_message_id"), text = r.GetOrdinal("text"),
                messageType = r.GetOrdinal("message_type"), sentAt = r.GetOrdinal("sent_at");
            while (await r.ReadAsync(ct))
                history.Add(new WorkflowHistoryMessage(MessageDirectionNames.ParseDirection(r.GetString(direction)), r.GetString(providerMessageId),
                    r.GetTextOrNull(text), r.GetString(messageType), r.GetTimeOrNull(sentAt)!.Value));
        }
        return new WorkflowJob(deliveryId, url, secret, messages, history, urlTrusted);
    }

    public async Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            "DELETE FROM reply_jobs WHERE status = ANY($2) AND updated_at < $1", null, olderThan, ReplyJobSql.Statuses(ReplyJobStatuses.Finished));
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string? Str(NpgsqlDataReader r, string column) => r.GetTextOrNull(r.GetOrdinal(column));

}
