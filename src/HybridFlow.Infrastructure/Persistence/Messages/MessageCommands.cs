using HybridFlow.Domain.Messages;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.ChatTransactions;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;
using NpgsqlTypes;
using static HybridFlow.Infrastructure.Persistence.Postgres.PgArrays;

namespace HybridFlow.Infrastructure.Persistence.Messages;

/// <summary>The writes of messages inside a chat's transaction (which holds the session's lock).</summary>
internal static class MessageCommands
{
    /// <summary>Appends the group's messages (group commit); a duplicate (already stored) returns no row.</summary>
    private const string AppendMessagesSql = """
        INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
        SELECT k.tenant_id, k.instance_id, s.id, k.provider_message_id, k.direction, k.message_type, k.text, k.raw::jsonb, k.sent_at, now()
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
             AS k(tenant_id, instance_id, chat_id, provider_message_id, direction, message_type, text, raw, sent_at)
        CROSS JOIN LATERAL (SELECT s.id FROM sessions s WHERE s.instance_id = k.instance_id AND s.chat_id = k.chat_id LIMIT 1) s
        ON CONFLICT (instance_id, provider_message_id) DO NOTHING
        RETURNING id, session_id, provider_message_id
        """;

    /// <summary><see cref="AppendMessagesSql"/> with the Cloud API's media ids: used only by a group that holds one, so Evolution's statement stays as it was.</summary>
    private const string AppendMessagesWithMediaIdSql = """
        INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at, provider_media_id)
        SELECT k.tenant_id, k.instance_id, s.id, k.provider_message_id, k.direction, k.message_type, k.text, k.raw::jsonb, k.sent_at, now(), k.provider_media_id
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[], $10::text[])
             AS k(tenant_id, instance_id, chat_id, provider_message_id, direction, message_type, text, raw, sent_at, provider_media_id)
        CROSS JOIN LATERAL (SELECT s.id FROM sessions s WHERE s.instance_id = k.instance_id AND s.chat_id = k.chat_id LIMIT 1) s
        ON CONFLICT (instance_id, provider_message_id) DO NOTHING
        RETURNING id, session_id, provider_message_id
        """;

    public static NpgsqlBatchCommand AppendMessages(IReadOnlyList<OpenedChatRow> rows)
    {
        if (rows.Any(r => r.ProviderMediaId is not null))
            return Command(AppendMessagesWithMediaIdSql,
                Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId), Texts(rows, r => r.ProviderMessageId),
                Texts(rows, r => r.Direction), Texts(rows, r => r.MessageType), Texts(rows, r => r.Text), Texts(rows, r => JsonbText.Sanitized(r.RawJson).Json),
                Times(rows, r => r.SentAt), Texts(rows, r => r.ProviderMediaId));
        return Command(AppendMessagesSql,
            Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId), Texts(rows, r => r.ProviderMessageId),
            Texts(rows, r => r.Direction), Texts(rows, r => r.MessageType), Texts(rows, r => r.Text), Texts(rows, r => JsonbText.Sanitized(r.RawJson).Json),
            Times(rows, r => r.SentAt));
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

    public static async Task<MessageDirection?> FindMessageDirectionAsync(this NpgsqlConnection c, NpgsqlTransaction tx, long instanceId,
        string providerMessageId, CancellationToken ct)
    {
        await using var cmd = c.Command(
            "SELECT direction FROM messages WHERE instance_id = $1 AND provider_message_id = $2", tx, instanceId, providerMessageId);
        return await cmd.ExecuteScalarAsync(ct) is string d ? MessageDirectionNames.ParseDirection(d) : null;
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
}
