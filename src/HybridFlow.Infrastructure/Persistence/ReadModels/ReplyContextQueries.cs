using Dapper;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using HybridFlow.Infrastructure.Security;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// What a claimed reply job needs (<see cref="ReplyJobStore"/> claims it): its chat, its tenant and instance, the
/// chat's history for the model or the workflow, and its trigger messages for the media preparation.
/// </summary>
internal static class ReplyContextQueries
{
    public static async Task<ReplyContext?> LoadContextAsync(NpgsqlDataSource db, SecretProtector secrets, TimeProvider time, ClaimedReplyJob job,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
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
            """, null, job.JobId, LlmUsage.LlmUsageLedger.Month(time.GetUtcNow())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            var instance = InstanceColumns.Read(r, secrets);
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

    public static async Task<WorkflowJob?> LoadWorkflowJobAsync(NpgsqlDataSource db, SecretProtector secrets, ClaimedReplyJob job, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
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
            secret = secrets.Unprotect(Str(r, "workflow_secret"), Tenants.TenantSecrets.Context("workflow_secret", r.GetInt64(r.GetOrdinal("tenant_id"))));
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

    /// <summary>The job's trigger messages, oldest first (the media preparation's read).</summary>
    public static async Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(NpgsqlDataSource db, long jobId, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // The raw body (several kB) only for the media that need it.
        var rows = await connection.QueryAsync<TriggerMessageRow>(new CommandDefinition("""
            SELECT m.id, m.provider_message_id, m.message_type, m.text, m.media_text,
                   CASE WHEN m.message_type IN ('audioMessage', 'imageMessage') OR m.provider_media_id IS NOT NULL THEN m.raw::text END AS raw_json,
                   m.deleted_at IS NOT NULL AS deleted, m.provider_media_id
            FROM reply_jobs j JOIN messages m ON m.id = ANY (j.trigger_message_ids)
            WHERE j.id = @jobId
            ORDER BY date_trunc('second', m.sent_at), m.id
            """, new { jobId }, cancellationToken: ct));
        return rows.Select(r => new TriggerMessage(r.Id, r.ProviderMessageId, r.MessageType, r.Text, r.MediaText, r.RawJson, r.Deleted, r.ProviderMediaId)).ToList();
    }

    private static string? Str(NpgsqlDataReader r, string column) => r.GetTextOrNull(r.GetOrdinal(column));

    private sealed class TriggerMessageRow
    {
        public long Id { get; init; }
        public string ProviderMessageId { get; init; } = "";
        public string MessageType { get; init; } = "";
        public string? Text { get; init; }
        public string? MediaText { get; init; }
        public string? RawJson { get; init; }
        public bool Deleted { get; init; }
        public string? ProviderMediaId { get; init; }
    }
}
