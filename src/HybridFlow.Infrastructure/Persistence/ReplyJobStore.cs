using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>
/// The durable outbox of replies (kind <c>reply</c>: the model's, or a POST to the tenant's workflow): claiming due jobs
/// and reading what they need. Their lifecycle is the Domain's <see cref="HybridFlow.Domain.Replies.ReplyJob"/>; every
/// step from the collision check on (the send, its failures, its proof) goes through the <see cref="SendLedger"/>, which
/// the send-message API uses too.
/// </summary>
public sealed class ReplyJobStore : IReplyJobStore
{
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;
    private readonly HybridFlowMetrics _metrics;

    public ReplyJobStore(NpgsqlDataSource db, Security.SecretProtector secrets, HybridFlowMetrics metrics)
    {
        _db = db;
        _secrets = secrets;
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

    public async Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            "DELETE FROM reply_jobs WHERE status IN ('sent', 'dead', 'cancelled', 'discarded') AND updated_at < $1", null, olderThan);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private static string? Str(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

}
