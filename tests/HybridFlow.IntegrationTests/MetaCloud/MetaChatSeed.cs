using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// Chats of a Cloud API instance written straight into the tables, as the Meta webhook stores them: a message's sent_at is
/// WhatsApp's timestamp, its created_at and the session's last_message_at when it arrived here. The window tests do not
/// depend on the webhook's code, only on what it stores.
/// </summary>
internal static class MetaChatSeed
{
    public static string NewChatId() => Payloads.NewChatId();

    /// <summary>A customer's message sent at <paramref name="sentAt"/> that arrived at <paramref name="arrivedAt"/> (default: the same time).</summary>
    public static async Task<(long SessionId, long MessageId)> CustomerWroteAsync(
        HybridFlowApp app, string instance, string chatId, DateTimeOffset sentAt, DateTimeOffset? arrivedAt = null, string text = "Oi, meu pedido ficou pronto?")
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            WITH i AS (SELECT id, tenant_id FROM instances WHERE instance_name = $1),
            s AS (
                INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name)
                SELECT i.tenant_id, i.id, $2, $4, $4, $4, 'Ana Souza' FROM i
                ON CONFLICT (instance_id, chat_id) DO UPDATE
                SET last_message_at = GREATEST(sessions.last_message_at, EXCLUDED.last_message_at), updated_at = EXCLUDED.updated_at
                RETURNING id, tenant_id, instance_id)
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, $5, 'inbound', 'conversation', $6, $3, $4 FROM s
            RETURNING session_id, id
            """, connection);
        cmd.Parameters.AddWithValue(instance);
        cmd.Parameters.AddWithValue(chatId);
        cmd.Parameters.AddWithValue(sentAt.ToUniversalTime());
        cmd.Parameters.AddWithValue((arrivedAt ?? sentAt).ToUniversalTime());
        cmd.Parameters.AddWithValue("wamid.seed" + Guid.NewGuid().ToString("N"));
        cmd.Parameters.AddWithValue(text);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.That(await reader.ReadAsync(), Is.True, "the message was stored");
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>A job queued for the chat as the webhook queues one: a reply to <paramref name="triggerMessageId"/>, or a notice with its text.</summary>
    public static async Task<long> QueueJobAsync(HybridFlowApp app, long sessionId, long triggerMessageId, string kind = "reply", string? noticeText = null)
    {
        var now = app.Clock.GetUtcNow();
        var id = await app.ScalarAsync<long>("""
            INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, reply_text, created_at, updated_at)
            SELECT s.tenant_id, s.id, ARRAY[$2::bigint], 'pending', $3, $4, $5, $4, $4 FROM sessions s WHERE s.id = $1
            RETURNING id
            """, sessionId, triggerMessageId, kind, now.ToUniversalTime(), (object?)noticeText ?? DBNull.Value);
        Assert.That(id, Is.GreaterThan(0));
        return id;
    }

    /// <summary>Waits until the job is finished (sent, dead, cancelled or discarded); answers its status.</summary>
    public static async Task<string> FinishedJobStatusAsync(HybridFlowApp app, long jobId)
    {
        string? status = null;
        await HybridFlowApp.EventuallyAsync(async () =>
            (status = await app.ScalarAsync<string>("SELECT status FROM reply_jobs WHERE id = $1", jobId)) is "sent" or "dead" or "cancelled" or "discarded",
            $"reply job {jobId} finished (last seen: {status})", TimeSpan.FromSeconds(30));
        return status!;
    }

    /// <summary>The session's timeline: action and detail, oldest first.</summary>
    public static async Task<IReadOnlyList<(string Action, string? Detail)>> TimelineAsync(HybridFlowApp app, long sessionId)
    {
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT action, detail FROM session_events WHERE session_id = $1 ORDER BY id", connection);
        cmd.Parameters.AddWithValue(sessionId);
        var events = new List<(string, string?)>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) events.Add((reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1)));
        return events;
    }
}
