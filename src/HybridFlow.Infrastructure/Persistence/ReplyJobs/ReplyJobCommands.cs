using HybridFlow.Domain.Messages;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;
using NpgsqlTypes;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgCommands;

namespace HybridFlow.Infrastructure.Persistence.ReplyJobs;

/// <summary>A reply a shared transaction queues (or whose pending job it pushes back).</summary>
internal sealed record ReplyEnqueueRow(long TenantId, long SessionId, long TriggerMessageId, DateTimeOffset DueAt, DateTimeOffset Now, string? CorrelationId);

/// <summary>
/// The statements of reply_jobs inside a chat's transaction (which holds the session's lock), and how a row becomes the
/// Domain's <see cref="ReplyJob"/>. Status sets come from the Domain through <see cref="ReplyJobSql"/>.
/// </summary>
internal static class ReplyJobCommands
{
    /// <summary>The reply_jobs columns <see cref="ReplyJobReader"/> reads (by name), for <c>FROM reply_jobs j</c>.</summary>
    public const string ReplyJobColumns =
        "j.id, j.tenant_id, j.session_id, j.kind, j.status, j.attempts, j.due_at, j.locked_until, j.reply_text, " +
        "j.sent_provider_message_id, j.sent_message_id, j.last_error, j.resent_at, j.absence_seen_at, j.read_back_failures, j.created_at, j.updated_at, " +
        "j.reply_parts, j.part_index";

    /// <summary>The text of a job's send in flight (ReplyJob.CurrentPart): its part, or the whole text of a one-part job or an older row.</summary>
    public const string CurrentPartText = "COALESCE(j.reply_parts[j.part_index + 1], j.reply_text)";

    /// <summary>
    /// Queues each chat's reply, or pushes its pending one back so that it also covers this message (debounce); one row
    /// per chat (ON CONFLICT DO UPDATE may touch a row once). The conflict target names the partial unique index
    /// reply_jobs_one_pending_per_session, whose predicate PostgreSQL infers only from the statement's text.
    /// </summary>
    private static readonly string EnqueueRepliesSql = $"""
        INSERT INTO reply_jobs AS j (tenant_id, session_id, trigger_message_ids, status, due_at, created_at, updated_at, correlation_id)
        SELECT k.tenant_id, k.session_id, ARRAY[k.trigger_message_id], {ReplyJobSql.Literal(ReplyJobStatus.Pending)}, k.due_at, k.now, k.now, k.correlation_id
        FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[])
             AS k(tenant_id, session_id, trigger_message_id, due_at, now, correlation_id)
        ON CONFLICT (session_id) WHERE status IN ({ReplyJobSql.In(ReplyJobStatuses.AbsorbsNewMessages)}) AND kind IN ({ReplyJobSql.In(ReplyJobKindSets.Written)}) DO UPDATE
        SET trigger_message_ids = j.trigger_message_ids || EXCLUDED.trigger_message_ids,
            due_at = GREATEST(j.due_at, EXCLUDED.due_at),
            updated_at = EXCLUDED.updated_at,
            correlation_id = COALESCE(j.correlation_id, EXCLUDED.correlation_id)
        """;

    /// <summary>The group's replies in one statement (group commit).</summary>
    public static NpgsqlBatchCommand EnqueueReplies(IReadOnlyList<ReplyEnqueueRow> rows) => Command(EnqueueRepliesSql,
        Longs(rows, r => r.TenantId), Longs(rows, r => r.SessionId), Longs(rows, r => r.TriggerMessageId), Times(rows, r => r.DueAt),
        Times(rows, r => r.Now), Texts(rows, r => r.CorrelationId));

    /// <summary>Queues a reply, or pushes the chat's pending one back (debounce): the group's statement with one row, the only form of this rule.</summary>
    public static NpgsqlBatchCommand EnqueueReplyCommand(ReplyEnqueueRow row) => EnqueueReplies([row]);

    /// <summary>Queues a notice (its text set now) beside any pending reply; a worker sends it like a reply, without the model.</summary>
    public static NpgsqlBatchCommand EnqueueNoticeCommand(ReplyJob notice, long? triggerMessageId, string? correlationId) => BatchCommand("""
        INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, attempts, reply_text, created_at, updated_at, correlation_id)
        VALUES ($1, $2, array_remove(ARRAY[$3::bigint], NULL), $4, $5, $6, $7, $8, $9, $10, $11)
        """, notice.TenantId, notice.SessionId, BigintOrNull(triggerMessageId), notice.Status.ToName(), notice.Kind.ToName(), notice.DueAt, notice.Attempts,
        TextOrNull(notice.ReplyText), notice.CreatedAt, notice.UpdatedAt, correlationId ?? (object)new NullOf(NpgsqlDbType.Text));

    /// <summary>
    /// Cancels the chat's unsent jobs of <paramref name="kinds"/> (<see cref="ReplyJobStatuses.Unsent"/>, as
    /// <see cref="ReplyJob.Cancel"/> would), the one form of this rule. With <paramref name="cancelledAction"/>, it also notes
    /// them on the timeline in the same statement (a batch cannot read a count back before its commit); the CTE counts in
    /// the UPDATE's snapshot, and RecordsAffected is the UPDATE's, for the metric.
    /// </summary>
    public static NpgsqlBatchCommand CancelUnsentCommand(long tenantId, long sessionId, IReadOnlySet<ReplyJobKind> kinds, string reason,
        string? cancelledAction, long? messageId, DateTimeOffset now) => BatchCommand($"""
        WITH unsent AS (
            SELECT count(*) AS n FROM reply_jobs
            WHERE session_id = $2 AND status = ANY($7) AND kind = ANY($8)),
        noted AS (
            {TimelineEvents.Insert}
            SELECT $1, $2, $3, $4, n || ' reply cancelled: ' || $5, $6 FROM unsent WHERE n > 0 AND $4::text IS NOT NULL)
        UPDATE reply_jobs SET status = $9, last_error = $5, locked_until = NULL, updated_at = $6
        WHERE session_id = $2 AND status = ANY($7) AND kind = ANY($8)
        """, tenantId, sessionId, BigintOrNull(messageId), TextOrNull(cancelledAction), reason, now,
        ReplyJobSql.Statuses(ReplyJobStatuses.Unsent), ReplyJobSql.Kinds(kinds), ReplyJobStatus.Cancelled.ToName());

    /// <summary>Locks a job of the session (after the session: the lock order of every chat transaction).</summary>
    public static NpgsqlCommand LockJobCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long jobId, long sessionId) => c.Command(
        $"SELECT {ReplyJobColumns} FROM reply_jobs j WHERE j.id = $1 AND j.session_id = $2 FOR UPDATE", tx, jobId, sessionId);

    /// <summary>Locks the session's sends a person has to look at (<see cref="ReplyJobStatuses.NeedingAttention"/>), but <paramref name="exceptJobId"/>.</summary>
    public static NpgsqlCommand LockNeedingAttentionCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long sessionId, long exceptJobId) => c.Command(
        $"SELECT {ReplyJobColumns} FROM reply_jobs j WHERE j.session_id = $1 AND j.status = ANY($3) AND j.id <> $2 FOR UPDATE",
        tx, sessionId, exceptJobId, ReplyJobSql.Statuses(ReplyJobStatuses.NeedingAttention));

    /// <summary>
    /// The session's send whose echo this text is (<see cref="ReplyJobStatuses.AwaitingEcho"/>, its provider id not known
    /// yet), locked; a reply in parts is matched by the part in flight (<see cref="CurrentPartText"/>).
    /// </summary>
    public static NpgsqlCommand FindSendInFlightCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long sessionId, string text) => c.Command($"""
        SELECT j.id, j.kind FROM reply_jobs j
        WHERE j.session_id = $1 AND j.status = ANY($3) AND j.sent_provider_message_id IS NULL
          AND {CurrentPartText} = $2
        ORDER BY j.id LIMIT 1 FOR UPDATE
        """, tx, sessionId, text, ReplyJobSql.Statuses(ReplyJobStatuses.AwaitingEcho));

    public static NpgsqlCommand AttachEchoCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long jobId, string providerMessageId) => c.Command(
        "UPDATE reply_jobs SET sent_provider_message_id = $2 WHERE id = $1", tx, jobId, providerMessageId);

    /// <summary>Stores a job as the Domain left it.</summary>
    public static NpgsqlBatchCommand ReplyJobUpdateCommand(ReplyJob j) => BatchCommand("""
        UPDATE reply_jobs SET status = $2, attempts = $3, due_at = $4, locked_until = $5, reply_text = $6, sent_provider_message_id = $7,
                              sent_message_id = $8, last_error = $9, resent_at = $10, absence_seen_at = $11, updated_at = $12,
                              read_back_failures = $13, reply_parts = $14, part_index = $15
        WHERE id = $1
        """, j.Id, j.Status.ToName(), j.Attempts, j.DueAt, TimeOrNull(j.LockedUntil), TextOrNull(j.ReplyText), TextOrNull(j.SentProviderMessageId),
        BigintOrNull(j.SentMessageId), TextOrNull(j.LastError), TimeOrNull(j.ResentAt), TimeOrNull(j.AbsenceSeenAt), j.UpdatedAt,
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

    /// <summary>The direction a send's message (and its echo) is recorded with, by reply_jobs.kind.</summary>
    public static MessageDirection SendDirection(string kind) =>
        ReplyJobNames.ParseKind(kind) == ReplyJobKind.ApiAgent ? MessageDirection.Human : MessageDirection.Bot;
}

/// <summary>Reads <see cref="ReplyJobCommands.ReplyJobColumns"/> by name; the ordinals are looked up once per reader.</summary>
internal sealed class ReplyJobReader
{
    private readonly int _id, _tenantId, _sessionId, _kind, _status, _attempts, _dueAt, _lockedUntil, _replyText, _sentProviderMessageId,
        _sentMessageId, _lastError, _resentAt, _absenceSeenAt, _readBackFailures, _createdAt, _updatedAt, _replyParts, _partIndex;

    public ReplyJobReader(NpgsqlDataReader r)
    {
        _id = r.GetOrdinal("id");
        _tenantId = r.GetOrdinal("tenant_id");
        _sessionId = r.GetOrdinal("session_id");
        _kind = r.GetOrdinal("kind");
        _status = r.GetOrdinal("status");
        _attempts = r.GetOrdinal("attempts");
        _dueAt = r.GetOrdinal("due_at");
        _lockedUntil = r.GetOrdinal("locked_until");
        _replyText = r.GetOrdinal("reply_text");
        _sentProviderMessageId = r.GetOrdinal("sent_provider_message_id");
        _sentMessageId = r.GetOrdinal("sent_message_id");
        _lastError = r.GetOrdinal("last_error");
        _resentAt = r.GetOrdinal("resent_at");
        _absenceSeenAt = r.GetOrdinal("absence_seen_at");
        _readBackFailures = r.GetOrdinal("read_back_failures");
        _createdAt = r.GetOrdinal("created_at");
        _updatedAt = r.GetOrdinal("updated_at");
        _replyParts = r.GetOrdinal("reply_parts");
        _partIndex = r.GetOrdinal("part_index");
    }

    public ReplyJob Read(NpgsqlDataReader r) => ReplyJob.Restore(
        r.GetInt64(_id), r.GetInt64(_tenantId), r.GetInt64(_sessionId),
        ReplyJobNames.ParseKind(r.GetString(_kind)), ReplyJobNames.ParseStatus(r.GetString(_status)),
        r.GetInt32(_attempts), r.GetTimeOrNull(_dueAt)!.Value, r.GetTimeOrNull(_lockedUntil), r.GetTextOrNull(_replyText),
        r.GetTextOrNull(_sentProviderMessageId), r.IsDBNull(_sentMessageId) ? null : r.GetInt64(_sentMessageId), r.GetTextOrNull(_lastError),
        r.GetTimeOrNull(_resentAt), r.GetTimeOrNull(_absenceSeenAt), r.GetTimeOrNull(_createdAt)!.Value, r.GetTimeOrNull(_updatedAt)!.Value,
        r.GetInt32(_readBackFailures), r.IsDBNull(_replyParts) ? null : r.GetFieldValue<string[]>(_replyParts), r.GetInt32(_partIndex));
}
