using HybridFlow.Domain.Messages;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.ChatTransactions;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.Sessions;
using Npgsql;
using NpgsqlTypes;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;

namespace HybridFlow.Infrastructure.Persistence.Messages;

/// <summary>The writes of messages inside a chat's transaction (which holds the session's lock).</summary>
internal static class MessageCommands
{
    /// <summary>
    /// Set (SET LOCAL) around <see cref="AppendMessages"/> only: the statement applies the kept receipts and writes the
    /// message.created events itself, so the messages' row triggers (V0010, V0013) skip its rows (V0028, ADR-011). Every
    /// other insert of a message leaves it unset and keeps the triggers.
    /// </summary>
    public const string TriggersSkippedSetting = "hybridflow.message_row_triggers";
    public const string TriggersSkippedValue = "skipped";

    /// <summary>
    /// Appends the group's messages (group commit); a duplicate (already stored) returns no row. In the same statement,
    /// what the row triggers do for every other insert, once per group instead of a PL/pgSQL call per row: a receipt
    /// that arrived before its message (pending_receipts) is applied to it, and each new message gets its
    /// message.created inbox event. Like the trigger, a kept receipt is taken for a duplicate too (it has none:
    /// a receipt for a stored message is applied to it directly).
    /// </summary>
    private static string AppendMessagesSql(bool withMediaId) => $"""
        WITH k AS (
            SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[]{(withMediaId ? ", $10::text[]" : "")})
                AS k(tenant_id, instance_id, chat_id, provider_message_id, direction, message_type, text, raw, sent_at{(withMediaId ? ", provider_media_id" : "")})
        ), kept AS (
            DELETE FROM pending_receipts p USING k
            WHERE p.instance_id = k.instance_id AND p.provider_message_id = k.provider_message_id
            RETURNING p.instance_id, p.provider_message_id, p.status, p.status_rank, p.delivered_at, p.read_at, p.deleted_at
        ), appended AS (
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at,
                                  status, status_rank, delivered_at, read_at, deleted_at{(withMediaId ? ", provider_media_id" : "")})
            SELECT k.tenant_id, k.instance_id, s.id, k.provider_message_id, k.direction, k.message_type, k.text, k.raw::jsonb, k.sent_at, now(),
                   CASE WHEN r.status_rank > 0 THEN r.status END, GREATEST(r.status_rank, 0), r.delivered_at, r.read_at, r.deleted_at{(withMediaId ? ", k.provider_media_id" : "")}
            FROM k
            CROSS JOIN LATERAL {SessionCommands.SessionIdOfChat("k.instance_id", "k.chat_id")} s
            LEFT JOIN kept r ON r.instance_id = k.instance_id AND r.provider_message_id = k.provider_message_id
            ON CONFLICT (instance_id, provider_message_id) DO NOTHING
            RETURNING id, tenant_id, session_id, provider_message_id, sent_at
        ), created AS (
            {Inbox.InboxEventCommands.MessageCreatedFrom("appended")}
        )
        SELECT id, session_id, provider_message_id FROM appended
        """;

    private static readonly string AppendEvolutionMessagesSql = AppendMessagesSql(withMediaId: false);
    /// <summary>With the Cloud API's media ids: used only by a group that holds one, so Evolution's statement stays as it was.</summary>
    private static readonly string AppendMessagesWithMediaIdSql = AppendMessagesSql(withMediaId: true);

    /// <summary>The group's messages (<see cref="AppendMessagesSql"/>), with <see cref="TriggersSkippedSetting"/> set around them.</summary>
    public static IEnumerable<NpgsqlBatchCommand> AppendMessages(IReadOnlyList<OpenedChatRow> rows)
    {
        yield return new NpgsqlBatchCommand($"SET LOCAL {TriggersSkippedSetting} = '{TriggersSkippedValue}'");
        if (rows.Any(r => r.ProviderMediaId is not null))
            yield return Command(AppendMessagesWithMediaIdSql,
                Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId), Texts(rows, r => r.ProviderMessageId),
                Texts(rows, r => r.Direction), Texts(rows, r => r.MessageType), Texts(rows, r => r.Text), Texts(rows, r => JsonbText.Sanitized(r.RawJson).Json),
                Times(rows, r => r.SentAt), Texts(rows, r => r.ProviderMediaId));
        else
            yield return Command(AppendEvolutionMessagesSql,
                Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId), Texts(rows, r => r.ProviderMessageId),
                Texts(rows, r => r.Direction), Texts(rows, r => r.MessageType), Texts(rows, r => r.Text), Texts(rows, r => JsonbText.Sanitized(r.RawJson).Json),
                Times(rows, r => r.SentAt));
        // The rest of the transaction (a member's other writes) inserts messages, if ever, with the triggers.
        yield return new NpgsqlBatchCommand($"RESET {TriggersSkippedSetting}");
    }

    /// <summary>Appends one message of the session; answers its id, or null when it was already stored.</summary>
    public static async Task<long?> AppendMessageAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long tenantId, long instanceId, long sessionId,
        NewChatMessage m, CancellationToken ct)
    {
        await using var insert = m.ProviderMediaId is null
            ? c.Command("""
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
                ON CONFLICT (instance_id, provider_message_id) DO NOTHING
                RETURNING id
                """, tx, tenantId, instanceId, sessionId, m.ProviderMessageId, m.Direction.ToName(),
                m.MessageType, m.Text, JsonbText.Sanitized(m.RawJson), m.SentAt)
            : c.Command("""
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at, provider_media_id)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now(), $10)
                ON CONFLICT (instance_id, provider_message_id) DO NOTHING
                RETURNING id
                """, tx, tenantId, instanceId, sessionId, m.ProviderMessageId, m.Direction.ToName(),
                m.MessageType, m.Text, JsonbText.Sanitized(m.RawJson), m.SentAt, m.ProviderMediaId);
        return await insert.ExecuteScalarAsync(ct) is long id ? id : null;
    }

    /// <summary>The newest message of a thread in the thread's order, as a scalar subquery on <paramref name="sessionId"/> (an SQL expression).</summary>
    public static string NewestMessageIdOf(string sessionId) =>
        $"(SELECT m.id FROM messages m WHERE m.session_id = {sessionId} ORDER BY m.sent_at DESC, m.id DESC LIMIT 1)";

    public static async Task<MessageDirection?> FindMessageDirectionAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long instanceId,
        string providerMessageId, CancellationToken ct)
    {
        await using var cmd = c.Command(
            "SELECT direction FROM messages WHERE instance_id = $1 AND provider_message_id = $2", tx, instanceId, providerMessageId);
        return await cmd.ExecuteScalarAsync(ct) is string d ? MessageDirectionNames.ParseDirection(d) : null;
    }

    /// <summary>
    /// Stores a message we sent, or finds it when its echo got there first (then it gets its sender, when the inbox sent it).
    /// Inside the caller's transaction, which must already hold the session's lock (its tenant and instance are the session's).
    /// </summary>
    public static async Task<long> RecordSentMessageAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long tenantId, long instanceId, long sessionId,
        NewChatMessage message, CancellationToken ct)
    {
        await using var cmd = c.Command("""
            WITH inserted AS (
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at, sent_by_user_id)
                VALUES ($9, $10, $1, $2, $3, $4, $5, $6, $7, now(), $8)
                ON CONFLICT (instance_id, provider_message_id) DO NOTHING
                RETURNING id),
            echoed AS (
                UPDATE messages m SET sent_by_user_id = $8
                WHERE $8::bigint IS NOT NULL AND m.instance_id = $10 AND m.provider_message_id = $2 AND m.sent_by_user_id IS NULL)
            SELECT id FROM inserted
            UNION ALL
            SELECT m.id FROM messages m
            WHERE m.instance_id = $10 AND m.provider_message_id = $2
            LIMIT 1
            """, tx, sessionId, message.ProviderMessageId, message.Direction.ToName(), message.MessageType, message.Text,
            JsonbText.Sanitized(message.RawJson), message.SentAt, message.SentByUserId ?? (object)new NullOf(NpgsqlDbType.Bigint), tenantId, instanceId);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
