using System.Runtime.CompilerServices;
using HybridFlow.Application.Stats.Export;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The conversations CSV's rows in one statement, read row by row as the response is written. The period's messages are
/// grouped per chat by the stats' covering index (V0011), tokens through each call's reply job.
/// </summary>
internal sealed class ConversationExportQueries(NpgsqlDataSource db) : IConversationExportQueries
{
    public const string Sql = """
        WITH conversations AS (
            SELECT m.session_id, min(m.sent_at) AS first_at, max(m.sent_at) AS last_at,
                   count(*) FILTER (WHERE m.direction = 'inbound') AS customer_messages,
                   count(*) FILTER (WHERE m.direction = 'bot') AS bot_messages,
                   count(*) FILTER (WHERE m.direction = 'human') AS person_messages
            FROM messages m
            WHERE m.tenant_id = $1 AND m.sent_at >= $2 AND m.sent_at < $3
            GROUP BY m.session_id
            HAVING count(*) FILTER (WHERE m.direction = 'inbound') > 0
        ),
        tokens AS (
            SELECT j.session_id, sum(u.input_tokens)::bigint AS input_tokens, sum(u.output_tokens)::bigint AS output_tokens
            FROM llm_usage u JOIN reply_jobs j ON j.id = u.reply_job_id
            WHERE u.tenant_id = $1 AND u.created_at >= $2 AND u.created_at < $3
            GROUP BY j.session_id
        )
        SELECT c.session_id, i.provider, i.instance_name AS instance, s.chat_id, s.contact_name, c.first_at, c.last_at,
               (SELECT f.text FROM messages f WHERE f.session_id = c.session_id AND f.sent_at >= $2 AND f.sent_at < $3
                ORDER BY f.sent_at, f.id LIMIT 1) AS first_message,
               (SELECT l.text FROM messages l WHERE l.session_id = c.session_id AND l.sent_at >= $2 AND l.sent_at < $3
                ORDER BY l.sent_at DESC, l.id DESC LIMIT 1) AS last_message,
               c.customer_messages, c.bot_messages, c.person_messages,
               EXISTS (SELECT 1 FROM session_events e WHERE e.session_id = c.session_id AND e.action = 'handoff_requested'
                       AND e.created_at >= $2 AND e.created_at < $3) AS handoff_requested,
               u.display_name AS assignee, s.resolved_at,
               COALESCE(t.input_tokens, 0) AS input_tokens, COALESCE(t.output_tokens, 0) AS output_tokens
        FROM conversations c
        JOIN sessions s ON s.id = c.session_id
        JOIN instances i ON i.id = s.instance_id
        LEFT JOIN users u ON u.id = s.assignee_user_id
        LEFT JOIN tokens t ON t.session_id = c.session_id
        ORDER BY c.first_at, c.session_id
        """;

    public async IAsyncEnumerable<ConversationExportRow> ReadAsync(long tenantId, DateTimeOffset from, DateTimeOffset to,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand(Sql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = from.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                new NpgsqlParameter { Value = to.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };
        await using var r = await command.ExecuteReaderAsync(ct);
        int id = r.GetOrdinal("session_id"), provider = r.GetOrdinal("provider"), instance = r.GetOrdinal("instance"),
            chatId = r.GetOrdinal("chat_id"), contactName = r.GetOrdinal("contact_name"), firstAt = r.GetOrdinal("first_at"),
            lastAt = r.GetOrdinal("last_at"), firstMessage = r.GetOrdinal("first_message"), lastMessage = r.GetOrdinal("last_message"),
            customerMessages = r.GetOrdinal("customer_messages"), botMessages = r.GetOrdinal("bot_messages"),
            personMessages = r.GetOrdinal("person_messages"), handoff = r.GetOrdinal("handoff_requested"), assignee = r.GetOrdinal("assignee"),
            resolvedAt = r.GetOrdinal("resolved_at"), inputTokens = r.GetOrdinal("input_tokens"), outputTokens = r.GetOrdinal("output_tokens");
        while (await r.ReadAsync(ct))
            yield return new ConversationExportRow(
                r.GetInt64(id), r.GetString(provider), r.GetString(instance), r.GetString(chatId), r.GetTextOrNull(contactName),
                r.GetFieldValue<DateTimeOffset>(firstAt), r.GetFieldValue<DateTimeOffset>(lastAt),
                r.GetTextOrNull(firstMessage), r.GetTextOrNull(lastMessage),
                r.GetInt64(customerMessages), r.GetInt64(botMessages), r.GetInt64(personMessages), r.GetBoolean(handoff),
                r.GetTextOrNull(assignee), r.GetTimeOrNull(resolvedAt), r.GetInt64(inputTokens), r.GetInt64(outputTokens));
    }
}
