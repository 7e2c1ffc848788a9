using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using HybridFlow.Domain.Tenants;
using Npgsql;
using NpgsqlTypes;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Infrastructure.Persistence;

internal static class SqlMapping
{
    public const string SessionColumns =
        "s.id, s.tenant_id, s.instance_id, s.chat_id, s.is_paused, s.pause_reason, s.paused_until, s.last_message_at, s.last_human_at, s.resumed_at, s.created_at, s.updated_at, s.away_message_sent_at, s.needs_attention";

    /// <summary>How many columns <see cref="SessionColumns"/> names: where a caller's extra columns start.</summary>
    public static readonly int SessionColumnCount = SessionColumns.Split(',').Length;

    /// <summary>Reads <see cref="SessionColumns"/> starting at <paramref name="o"/>.</summary>
    public static ChatSession ReadSession(NpgsqlDataReader r, int o = 0) => ChatSession.Restore(
        r.GetInt64(o), r.GetInt64(o + 1), r.GetInt64(o + 2), r.GetString(o + 3), r.GetBoolean(o + 4),
        PauseReasonNames.Parse(r.IsDBNull(o + 5) ? null : r.GetString(o + 5)),
        Time(r, o + 6), Time(r, o + 7), Time(r, o + 8), Time(r, o + 9),
        Time(r, o + 10)!.Value, Time(r, o + 11)!.Value, Time(r, o + 12), r.GetBoolean(o + 13));

    /// <summary>An instance with its tenant's policy; needs <c>instances i JOIN tenants t</c>.</summary>
    public const string InstanceColumns =
        "i.id, i.instance_name, i.evo_server_url, i.evo_api_key, i.webhook_secret, " +
        "t.id, t.reply_mode, t.resume_after_minutes, t.debounce_seconds, t.history_messages, t.external_sends_pause, i.evo_server_url_trusted, " +
        "t.conversation::text, t.llm_api_key, t.llm_base_url, t.llm_base_url_trusted, t.notify_url, t.notify_url_trusted, t.workflow_secret";

    /// <summary>Reads <see cref="InstanceColumns"/> starting at <paramref name="o"/>.</summary>
    public static InstanceContext ReadInstance(NpgsqlDataReader r, int o, Security.SecretProtector secrets)
    {
        var instanceId = r.GetInt64(o);
        var tenantId = r.GetInt64(o + 5);
        var llmApiKey = secrets.Unprotect(r.IsDBNull(o + 13) ? null : r.GetString(o + 13), TenantSecret("llm_api_key", tenantId));
        var llmBaseUrl = r.IsDBNull(o + 14) ? null : r.GetString(o + 14);
        var notifyUrl = r.IsDBNull(o + 16) ? null : r.GetString(o + 16);
        var policy = new TenantPolicy(tenantId, ReplyModeNames.Parse(r.GetString(o + 6)), TimeSpan.FromMinutes(r.GetInt32(o + 7)),
            TimeSpan.FromSeconds(r.GetInt32(o + 8)), r.GetInt32(o + 9), r.GetBoolean(o + 10))
        {
            Conversation = ConversationSettingsJson.Deserialize(r.GetString(o + 12)),
            LlmCredentials = llmApiKey is null && llmBaseUrl is null ? null : new LlmCredentials(llmApiKey, llmBaseUrl, r.GetBoolean(o + 15)),
            Notify = notifyUrl is null ? null
                : new NotifyTarget(notifyUrl, secrets.Unprotect(r.IsDBNull(o + 18) ? null : r.GetString(o + 18), TenantSecret("workflow_secret", tenantId)), r.GetBoolean(o + 17)),
        };
        return new InstanceContext(instanceId, r.GetString(o + 1), r.GetString(o + 2),
            secrets.Unprotect(r.IsDBNull(o + 3) ? null : r.GetString(o + 3), InstanceSecret("evo_api_key", instanceId)),
            secrets.Unprotect(r.IsDBNull(o + 4) ? null : r.GetString(o + 4), InstanceSecret("webhook_secret", instanceId)), policy,
            r.GetBoolean(o + 11));
    }

    /// <summary>The associated data of a tenant's secret column: bound to the tenant's row.</summary>
    public static string TenantSecret(string column, long tenantId) => Security.SecretProtector.Context("tenants", column, tenantId);

    /// <summary>The associated data of an instance's secret column: bound to the instance's row.</summary>
    public static string InstanceSecret(string column, long instanceId) => Security.SecretProtector.Context("instances", column, instanceId);

    /// <summary>The associated data of a queued notification's signing secret: bound to its delivery id (unique, known before the insert).</summary>
    public static string NotifySecret(string deliveryId) =>
        Security.SecretProtector.Context("notify_deliveries", "signing_secret", Guid.TryParse(deliveryId, out var id) ? id.ToString("D") : deliveryId);

    private const string InsertTimelineEventSql =
        "INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6)";

    /// <summary>Appends one timeline event inside the caller's transaction.</summary>
    public static async Task InsertTimelineEventAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long tenantId, long sessionId,
        long? messageId, string action, string? detail, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = c.Command(InsertTimelineEventSql, tx, tenantId, sessionId, messageId ?? (object)new NullOf(NpgsqlDbType.Bigint), action, detail, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The same insert, as one statement of a batch.</summary>
    public static NpgsqlBatchCommand TimelineEventCommand(long tenantId, long sessionId, long? messageId, string action, string? detail, DateTimeOffset now) =>
        BatchCommand(InsertTimelineEventSql, tenantId, sessionId, messageId ?? (object)new NullOf(NpgsqlDbType.Bigint), action, detail, now);

    /// <summary>
    /// Creates the chat's session if missing, then locks it and reads it (<see cref="SessionColumns"/>). FOR UPDATE
    /// writes no new row version, unlike an upsert.
    /// </summary>
    public static IEnumerable<NpgsqlBatchCommand> OpenSessionCommands(long tenantId, long instanceId, string chatId, DateTimeOffset now)
    {
        yield return BatchCommand("""
            INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)
            ON CONFLICT (instance_id, chat_id) DO NOTHING
            """, tenantId, instanceId, chatId, now);
        yield return BatchCommand($"SELECT {SessionColumns} FROM sessions s WHERE s.instance_id = $1 AND s.chat_id = $2 FOR UPDATE", instanceId, chatId);
    }

    /// <summary>Queues a reply, or pushes the chat's pending one back so that it also covers this message (debounce).</summary>
    public static NpgsqlBatchCommand EnqueueReplyCommand(long tenantId, long sessionId, long triggerMessageId, DateTimeOffset dueAt, DateTimeOffset now, string? correlationId) =>
        SharedChatStatements.EnqueueReplies([new ReplyEnqueueRow(tenantId, sessionId, triggerMessageId, dueAt, now, correlationId)]);

    /// <summary>Stores the session as the domain left it (no indexed column changes, so the update stays HOT).</summary>
    public static NpgsqlBatchCommand SessionUpdateCommand(ChatSession s) => BatchCommand("""
        UPDATE sessions SET is_paused = $2, pause_reason = $3, paused_until = $4, last_message_at = $5,
                            last_human_at = $6, resumed_at = $7, updated_at = $8, away_message_sent_at = $9,
                            needs_attention = $10
        WHERE id = $1
        """, s.Id, s.IsPaused, s.PauseReason?.ToName(), TimeOrNull(s.PausedUntil), TimeOrNull(s.LastMessageAt), TimeOrNull(s.LastHumanAt),
        TimeOrNull(s.ResumedAt), s.UpdatedAt, TimeOrNull(s.AwayMessageSentAt), s.NeedsAttention);

    /// <summary>A person was requested: the chat's replies and away messages not yet sent are cancelled (the handoff message stays).</summary>
    /// <summary>
    /// Cancels the unsent replies and notes them on the timeline in one statement (the batch cannot read a count back
    /// before its commit); the CTE counts in the UPDATE's snapshot, and RecordsAffected is the UPDATE's, for the metric.
    /// </summary>
    public static NpgsqlBatchCommand CancelRepliesForHandoffCommand(long tenantId, long sessionId, string cancelledAction, string reason,
        long? messageId, DateTimeOffset now) => BatchCommand("""
        WITH unsent AS (
            SELECT count(*) AS n FROM reply_jobs
            WHERE session_id = $2 AND status IN ('pending', 'retrying', 'processing') AND kind IN ('reply', 'away_notice')),
        noted AS (
            INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
            SELECT $1, $2, $3, $4, n || ' reply cancelled: ' || $5, $6 FROM unsent WHERE n > 0)
        UPDATE reply_jobs SET status = 'cancelled', last_error = $5, locked_until = NULL, updated_at = $6
        WHERE session_id = $2 AND status IN ('pending', 'retrying', 'processing') AND kind IN ('reply', 'away_notice')
        """, tenantId, sessionId, messageId ?? (object)new NullOf(NpgsqlDbType.Bigint), cancelledAction, reason, now);

    private static readonly System.Text.Json.JsonSerializerOptions NotifyJson = new() { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Queues a notify POST; its target is copied now, the secret encrypted like the other secrets.</summary>
    public static NpgsqlBatchCommand NotifyDeliveryCommand(HandoffNotification n, long sessionId, DateTimeOffset now, Security.SecretProtector secrets) => BatchCommand("""
        INSERT INTO notify_deliveries (tenant_id, session_id, delivery_id, event, url, url_trusted, signing_secret, payload, due_at, created_at, updated_at)
        VALUES ($1, $2, $3::uuid, $4, $5, $6, $7, $8, $9, $9, $9)
        """, n.Event.TenantId, sessionId, n.Event.EventId, n.Event.Event, n.Target.Url, n.Target.UrlTrusted, TextOrNull(secrets.Protect(n.Target.Secret, NotifySecret(n.Event.EventId))),
        new JsonbText(System.Text.Json.JsonSerializer.Serialize(n.Event, NotifyJson)), now);

    /// <summary>Queues a notice (its text set now) beside any pending reply; a worker sends it like a reply, without the model.</summary>
    public static NpgsqlBatchCommand EnqueueNoticeCommand(ReplyJob notice, long? triggerMessageId, string? correlationId) => BatchCommand("""
        INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, attempts, reply_text, created_at, updated_at, correlation_id)
        VALUES ($1, $2, array_remove(ARRAY[$3::bigint], NULL), $4, $5, $6, $7, $8, $9, $10, $11)
        """, notice.TenantId, notice.SessionId, triggerMessageId ?? (object)new NullOf(NpgsqlDbType.Bigint), notice.Status.ToName(), notice.Kind.ToName(), notice.DueAt, notice.Attempts,
        TextOrNull(notice.ReplyText), notice.CreatedAt, notice.UpdatedAt, correlationId ?? (object)new NullOf(NpgsqlDbType.Text));

    public static object TimeOrNull(DateTimeOffset? t) => t is { } v ? v : new NullOf(NpgsqlDbType.TimestampTz);

    public static NpgsqlBatchCommand BatchCommand(string sql, params object?[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var a in args) command.Parameters.Add(Parameter(a));
        return command;
    }

    /// <summary>
    /// Stores a message we sent, or finds it when its echo got there first (then it gets its sender, when the inbox sent it).
    /// Inside the caller's transaction, which must already hold the session's lock.
    /// </summary>
    public static async Task<long> RecordSentMessageAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long sessionId, NewChatMessage message, CancellationToken ct)
    {
        await using var cmd = c.Command("""
            WITH inserted AS (
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at, sent_by_user_id)
                SELECT s.tenant_id, s.instance_id, s.id, $2, $3, $4, $5, $6, $7, now(), $8 FROM sessions s WHERE s.id = $1
                ON CONFLICT (instance_id, provider_message_id) DO NOTHING
                RETURNING id),
            echoed AS (
                UPDATE messages m SET sent_by_user_id = $8 FROM sessions s
                WHERE $8::bigint IS NOT NULL AND s.id = $1 AND m.instance_id = s.instance_id AND m.provider_message_id = $2 AND m.sent_by_user_id IS NULL)
            SELECT id FROM inserted
            UNION ALL
            SELECT m.id FROM messages m JOIN sessions s ON s.instance_id = m.instance_id
            WHERE s.id = $1 AND m.provider_message_id = $2
            LIMIT 1
            """, tx, sessionId, message.ProviderMessageId, message.Direction.ToName(), message.MessageType, message.Text,
            JsonbText.Sanitized(message.RawJson), message.SentAt, message.SentByUserId ?? (object)new NullOf(NpgsqlDbType.Bigint));
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>The reply_jobs columns <see cref="ReadReplyJob"/> reads (by name), for <c>FROM reply_jobs j</c>.</summary>
    public const string ReplyJobColumns =
        "j.id, j.tenant_id, j.session_id, j.kind, j.status, j.attempts, j.due_at, j.locked_until, j.reply_text, " +
        "j.sent_provider_message_id, j.sent_message_id, j.last_error, j.resent_at, j.absence_seen_at, j.read_back_failures, j.created_at, j.updated_at, " +
        "j.reply_parts, j.part_index";

    /// <summary>The text of a job's send in flight (ReplyJob.CurrentPart): its part, or the whole text of a one-part job or an older row.</summary>
    public const string CurrentPartText = "COALESCE(j.reply_parts[j.part_index + 1], j.reply_text)";

    public static ReplyJob ReadReplyJob(NpgsqlDataReader r)
    {
        string? Text(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetString(r.GetOrdinal(column));
        DateTimeOffset? At(string column) => Time(r, r.GetOrdinal(column));
        var sentMessage = r.GetOrdinal("sent_message_id");
        return ReplyJob.Restore(
            r.GetInt64(r.GetOrdinal("id")), r.GetInt64(r.GetOrdinal("tenant_id")), r.GetInt64(r.GetOrdinal("session_id")),
            ReplyJobNames.ParseKind(r.GetString(r.GetOrdinal("kind"))), ReplyJobNames.ParseStatus(r.GetString(r.GetOrdinal("status"))),
            r.GetInt32(r.GetOrdinal("attempts")), At("due_at")!.Value, At("locked_until"), Text("reply_text"),
            Text("sent_provider_message_id"), r.IsDBNull(sentMessage) ? null : r.GetInt64(sentMessage), Text("last_error"),
            At("resent_at"), At("absence_seen_at"), At("created_at")!.Value, At("updated_at")!.Value, r.GetInt32(r.GetOrdinal("read_back_failures")),
            r.IsDBNull(r.GetOrdinal("reply_parts")) ? null : r.GetFieldValue<string[]>(r.GetOrdinal("reply_parts")), r.GetInt32(r.GetOrdinal("part_index")));
    }

    /// <summary>Stores a job as the Domain left it.</summary>
    public static NpgsqlBatchCommand ReplyJobUpdateCommand(ReplyJob j) => BatchCommand("""
        UPDATE reply_jobs SET status = $2, attempts = $3, due_at = $4, locked_until = $5, reply_text = $6, sent_provider_message_id = $7,
                              sent_message_id = $8, last_error = $9, resent_at = $10, absence_seen_at = $11, updated_at = $12,
                              read_back_failures = $13, reply_parts = $14, part_index = $15
        WHERE id = $1
        """, j.Id, j.Status.ToName(), j.Attempts, j.DueAt, TimeOrNull(j.LockedUntil), TextOrNull(j.ReplyText), TextOrNull(j.SentProviderMessageId),
        j.SentMessageId is { } m ? m : new NullOf(NpgsqlDbType.Bigint), TextOrNull(j.LastError), TimeOrNull(j.ResentAt), TimeOrNull(j.AbsenceSeenAt), j.UpdatedAt,
        j.ReadBackFailures, PartsOrNull(j), j.PartIndex);

    /// <summary>Inserts a new job (an API send); answers its id.</summary>
    public static NpgsqlCommand ReplyJobInsertCommand(this NpgsqlConnection c, NpgsqlTransaction tx, ReplyJob j) => c.Command("""
        INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, attempts, locked_until, reply_text, created_at, updated_at,
                                reply_parts, part_index)
        VALUES ($1, $2, '{}', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
        RETURNING id
        """, tx, j.TenantId, j.SessionId, j.Status.ToName(), j.Kind.ToName(), j.DueAt, j.Attempts, TimeOrNull(j.LockedUntil),
        TextOrNull(j.ReplyText), j.CreatedAt, j.UpdatedAt, PartsOrNull(j), j.PartIndex);

    /// <summary>A one-part job stores no parts: its text is the part.</summary>
    private static object PartsOrNull(ReplyJob j) =>
        j.Parts.Count > 1 || (j.Parts.Count == 1 && j.Parts[0] != j.ReplyText) ? j.Parts.ToArray() : new NullOf(NpgsqlDbType.Array | NpgsqlDbType.Text);

    public static object TextOrNull(string? s) => s ?? (object)new NullOf(NpgsqlDbType.Text);

    /// <summary>The direction a send's message (and its echo) is recorded with, by reply_jobs.kind.</summary>
    public static MessageDirection SendDirection(string kind) =>
        ReplyJobNames.ParseKind(kind) == ReplyJobKind.ApiAgent ? MessageDirection.Human : MessageDirection.Bot;

    public static DateTimeOffset? Time(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : new DateTimeOffset(DateTime.SpecifyKind(r.GetDateTime(i), DateTimeKind.Utc));

    public static string ToName(this MessageDirection d) => d switch
    {
        MessageDirection.Inbound => "inbound",
        MessageDirection.Bot => "bot",
        MessageDirection.Human => "human",
        _ => throw new ArgumentOutOfRangeException(nameof(d)),
    };

    public static MessageDirection ParseDirection(string s) => s switch
    {
        "inbound" => MessageDirection.Inbound,
        "bot" => MessageDirection.Bot,
        _ => MessageDirection.Human,
    };

    public static NpgsqlCommand Command(this NpgsqlConnection c, string sql, NpgsqlTransaction? tx, params object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, c, tx);
        foreach (var a in args) cmd.Parameters.Add(Parameter(a));
        return cmd;
    }

    private static NpgsqlParameter Parameter(object? value) => value switch
    {
        null => new NpgsqlParameter { Value = DBNull.Value },
        DateTimeOffset t => new NpgsqlParameter { Value = t.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        JsonbText j => new NpgsqlParameter { Value = j.Json, NpgsqlDbType = NpgsqlDbType.Jsonb },
        NullOf n => new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = n.Type },
        _ => new NpgsqlParameter { Value = value },
    };
}

/// <summary>A string sent as jsonb.</summary>
internal sealed record JsonbText(string Json)
{
    /// <summary>PostgreSQL's jsonb refuses the NUL escape that JSON allows (JSON spells escapes with a lowercase u).</summary>
    public static JsonbText Sanitized(string json) =>
        new(json.Contains("\\u0000", StringComparison.Ordinal) ? json.Replace("\\u0000", "\\ufffd", StringComparison.Ordinal) : json);
}

/// <summary>A typed NULL parameter, where PostgreSQL cannot infer the type.</summary>
internal sealed record NullOf(NpgsqlDbType Type);
