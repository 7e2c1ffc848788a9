using HybridFlow.Domain.Inbox;
using HybridFlow.Domain.Sessions;
using HybridFlow.Infrastructure.Persistence.Instances;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReplyJobs;
using Npgsql;
using NpgsqlTypes;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgCommands;

namespace HybridFlow.Infrastructure.Persistence.Sessions;

/// <summary>
/// The statements of sessions, and how a row becomes the Domain's <see cref="ChatSession"/>: every chat transaction
/// opens with one of the locks here (the session first, then whatever else of the chat it touches).
/// </summary>
internal static class SessionCommands
{
    /// <summary>The columns <see cref="SessionReader"/> reads (by name), for <c>FROM sessions s</c>.</summary>
    public const string SessionColumns =
        "s.id, s.tenant_id, s.instance_id, s.chat_id, s.is_paused, s.pause_reason, s.paused_until, s.last_message_at, s.last_human_at, s.resumed_at, s.created_at, s.updated_at, s.away_message_sent_at, s.needs_attention";

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

    /// <summary>Locks a session by id (and tenant, when given).</summary>
    public static NpgsqlCommand LockByIdCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long sessionId, long? tenantId) => c.Command(
        $"SELECT {SessionColumns} FROM sessions s WHERE s.id = $1 AND ($2::bigint IS NULL OR s.tenant_id = $2) FOR UPDATE",
        tx, sessionId, BigintOrNull(tenantId));

    /// <summary>Locks a session by its instance's name and chat id (and tenant, when given).</summary>
    public static NpgsqlCommand LockByChatCommand(this NpgsqlConnection c, NpgsqlTransaction tx, string? instanceName, string? chatId, long? tenantId) => c.Command($"""
        SELECT {SessionColumns} FROM sessions s {InstanceSql.JoinInstance("s.instance_id")}
        WHERE i.instance_name = $1 AND s.chat_id = $2 AND ($3::bigint IS NULL OR s.tenant_id = $3) FOR UPDATE OF s
        """, tx, instanceName, chatId, BigintOrNull(tenantId));

    /// <summary>Locks the session of a send (a reply_jobs row), before the send itself: the lock order of every chat transaction.</summary>
    public static NpgsqlCommand LockForSendCommand(this NpgsqlConnection c, NpgsqlTransaction tx, long sendId) => c.Command(
        $"SELECT {SessionColumns} FROM sessions s WHERE s.id = {ReplyJobSql.SessionIdOfSend("$1")} FOR UPDATE", tx, sendId);

    /// <summary>Stores the session as the domain left it (no indexed column changes, so the update stays HOT).</summary>
    public static NpgsqlBatchCommand SessionUpdateCommand(ChatSession s) => BatchCommand("""
        UPDATE sessions SET is_paused = $2, pause_reason = $3, paused_until = $4, last_message_at = $5,
                            last_human_at = $6, resumed_at = $7, updated_at = $8, away_message_sent_at = $9,
                            needs_attention = $10
        WHERE id = $1
        """, s.Id, s.IsPaused, s.PauseReason?.ToName(), TimeOrNull(s.PausedUntil), TimeOrNull(s.LastMessageAt), TimeOrNull(s.LastHumanAt),
        TimeOrNull(s.ResumedAt), s.UpdatedAt, TimeOrNull(s.AwayMessageSentAt), s.NeedsAttention);

    /// <summary>A customer message keeps the customer's name and reopens a resolved conversation.</summary>
    public static NpgsqlBatchCommand InboxChangesCommand(long sessionId, string? contactName) =>
        BatchCommand("UPDATE sessions SET contact_name = COALESCE($2::text, contact_name), resolved_at = NULL WHERE id = $1",
            sessionId, TextOrNull(contactName));

    /// <summary>
    /// Locks a conversation, the inbox's Conversation aggregate: its own columns of the sessions row, which only the inbox
    /// changes (<see cref="ConversationUpdateCommand"/>). <paramref name="condition"/> is on <c>sessions s</c>.
    /// </summary>
    public static string LockConversationSql(string condition) =>
        $"SELECT s.id, s.tenant_id, s.assignee_user_id, s.tags, s.resolved_at FROM sessions s WHERE {condition} FOR UPDATE";

    /// <summary>Stores the conversation as the Domain left it: the assignee, the tags and the resolution.</summary>
    public static NpgsqlBatchCommand ConversationUpdateCommand(Conversation c) =>
        new("UPDATE sessions SET assignee_user_id = $2, tags = $3, resolved_at = $4 WHERE id = $1")
        {
            Parameters =
            {
                new NpgsqlParameter { Value = c.SessionId },
                new NpgsqlParameter { Value = c.AssigneeUserId ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint },
                new NpgsqlParameter { Value = c.Tags.ToArray() },
                new NpgsqlParameter { Value = c.ResolvedAt?.UtcDateTime ?? (object)DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };

    /// <summary>The id of a chat's session, as a scalar subquery on the chat's instance id and chat id (SQL expressions).</summary>
    public static string SessionIdOfChat(string instanceId, string chatId) =>
        $"(SELECT s.id FROM sessions s WHERE s.instance_id = {instanceId} AND s.chat_id = {chatId} LIMIT 1)";

    /// <summary>The assignee of a session, as a scalar subquery on its id (an SQL expression).</summary>
    public static string AssigneeOfSession(string sessionId) => $"(SELECT s.assignee_user_id FROM sessions s WHERE s.id = {sessionId})";

    // Group commit (ADR-011): the chats of a shared transaction, one statement per table.

    /// <summary>Creates the chats' missing sessions. Rows go in the group's lock order, so concurrent inserts of one new chat cannot deadlock.</summary>
    private const string CreateMissingSessionsSql = """
        INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name)
        SELECT k.tenant_id, k.instance_id, k.chat_id, k.now, k.now, k.sent_at, k.contact_name
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::text[])
             AS k(tenant_id, instance_id, chat_id, now, sent_at, contact_name)
        ON CONFLICT (instance_id, chat_id) DO NOTHING
        """;

    /// <summary>
    /// Locks the sessions one after the other in the group's order (the nested loop follows the array), and reads
    /// them with <paramref name="extraColumns"/> and, last, the member's position (1-based) as <c>ord</c>.
    /// </summary>
    private static string LockSessionsSql(string extraColumns) => $"""
        SELECT {SessionColumns}{extraColumns}, k.ord
        FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(instance_id, chat_id, ord)
        CROSS JOIN LATERAL (
            SELECT * FROM sessions s WHERE s.instance_id = k.instance_id AND s.chat_id = k.chat_id LIMIT 1 FOR UPDATE) s
        ORDER BY k.ord
        """;

    public static NpgsqlBatchCommand CreateMissingSessions<T>(IReadOnlyList<T> rows, Func<T, long> tenantId, Func<T, long> instanceId,
        Func<T, string> chatId, Func<T, DateTimeOffset> now, Func<T, DateTimeOffset> sentAt, Func<T, string?> contactName) =>
        Command(CreateMissingSessionsSql, Longs(rows, tenantId), Longs(rows, instanceId), Texts(rows, chatId), Times(rows, now), Times(rows, sentAt),
            Texts(rows, contactName));

    public static NpgsqlBatchCommand LockSessions<T>(IReadOnlyList<T> rows, Func<T, long> instanceId, Func<T, string> chatId, string extraColumns) =>
        Command(LockSessionsSql(extraColumns), Longs(rows, instanceId), Texts(rows, chatId));
}

/// <summary>Reads <see cref="SessionCommands.SessionColumns"/> by name; the ordinals are looked up once per reader.</summary>
internal sealed class SessionReader
{
    private readonly int _id, _tenantId, _instanceId, _chatId, _isPaused, _pauseReason, _pausedUntil, _lastMessageAt, _lastHumanAt,
        _resumedAt, _createdAt, _updatedAt, _awayMessageSentAt, _needsAttention;

    public SessionReader(NpgsqlDataReader r)
    {
        _id = r.GetOrdinal("id");
        _tenantId = r.GetOrdinal("tenant_id");
        _instanceId = r.GetOrdinal("instance_id");
        _chatId = r.GetOrdinal("chat_id");
        _isPaused = r.GetOrdinal("is_paused");
        _pauseReason = r.GetOrdinal("pause_reason");
        _pausedUntil = r.GetOrdinal("paused_until");
        _lastMessageAt = r.GetOrdinal("last_message_at");
        _lastHumanAt = r.GetOrdinal("last_human_at");
        _resumedAt = r.GetOrdinal("resumed_at");
        _createdAt = r.GetOrdinal("created_at");
        _updatedAt = r.GetOrdinal("updated_at");
        _awayMessageSentAt = r.GetOrdinal("away_message_sent_at");
        _needsAttention = r.GetOrdinal("needs_attention");
    }

    public ChatSession Read(NpgsqlDataReader r) => ChatSession.Restore(
        r.GetInt64(_id), r.GetInt64(_tenantId), r.GetInt64(_instanceId), r.GetString(_chatId), r.GetBoolean(_isPaused),
        PauseReasonNames.Parse(r.GetTextOrNull(_pauseReason)),
        r.GetTimeOrNull(_pausedUntil), r.GetTimeOrNull(_lastMessageAt), r.GetTimeOrNull(_lastHumanAt), r.GetTimeOrNull(_resumedAt),
        r.GetTimeOrNull(_createdAt)!.Value, r.GetTimeOrNull(_updatedAt)!.Value, r.GetTimeOrNull(_awayMessageSentAt), r.GetBoolean(_needsAttention));
}
