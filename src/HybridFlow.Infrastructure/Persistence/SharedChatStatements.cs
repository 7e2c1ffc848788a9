using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>One customer message of a shared transaction, as its opening statements need it.</summary>
internal sealed record OpenedChatRow(
    long TenantId, long InstanceId, string ChatId, DateTimeOffset Now, DateTimeOffset SentAt, string? ContactName,
    string ProviderMessageId, string Direction, string MessageType, string? Text, string RawJson);

/// <summary>A timeline event a shared transaction writes.</summary>
internal sealed record TimelineRow(long TenantId, long SessionId, long? MessageId, string Action, string? Detail, DateTimeOffset At);

/// <summary>A reply a shared transaction queues (or whose pending job it pushes back).</summary>
internal sealed record ReplyEnqueueRow(long TenantId, long SessionId, long TriggerMessageId, DateTimeOffset DueAt, DateTimeOffset Now, string? CorrelationId);

/// <summary>
/// The shared transaction's statements, one per table for the whole group: each binds one array per column and
/// reads it back with <c>unnest</c>. Where five statements per message cost PostgreSQL their fixed overhead five
/// times per message, these cost it once per group (ADR-011, "One statement per table"). The SQL text does not depend
/// on the group's size, so Npgsql prepares each statement once per connection.
/// Lookups go through <c>LATERAL (… LIMIT 1)</c>: the planner cannot turn them into a join that scans a tenant's
/// sessions (a generic plan did, measured), so each one stays one unique-index probe.
/// </summary>
internal static class SharedChatStatements
{
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
    /// them with <paramref name="extraColumns"/> and, last, the member's position (1-based).
    /// </summary>
    private static string LockSessionsSql(string extraColumns) => $"""
        SELECT {SqlMapping.SessionColumns}{extraColumns}, k.ord
        FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS k(instance_id, chat_id, ord)
        CROSS JOIN LATERAL (
            SELECT * FROM sessions s WHERE s.instance_id = k.instance_id AND s.chat_id = k.chat_id LIMIT 1 FOR UPDATE) s
        ORDER BY k.ord
        """;

    /// <summary>Appends the messages; a duplicate (already stored) returns no row.</summary>
    private const string AppendMessagesSql = """
        INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
        SELECT k.tenant_id, k.instance_id, s.id, k.provider_message_id, k.direction, k.message_type, k.text, k.raw::jsonb, k.sent_at, now()
        FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
             AS k(tenant_id, instance_id, chat_id, provider_message_id, direction, message_type, text, raw, sent_at)
        CROSS JOIN LATERAL (SELECT s.id FROM sessions s WHERE s.instance_id = k.instance_id AND s.chat_id = k.chat_id LIMIT 1) s
        ON CONFLICT (instance_id, provider_message_id) DO NOTHING
        RETURNING id, session_id, provider_message_id
        """;

    private const string InsertTimelineSql = """
        INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
        SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[])
        """;

    /// <summary>Queues each chat's reply, or pushes its pending one back so that it also covers this message (debounce); one row per chat (ON CONFLICT DO UPDATE may touch a row once). The only form of this rule: <see cref="SqlMapping.EnqueueReplyCommand"/> is this with one row.</summary>
    private const string EnqueueRepliesSql = """
        INSERT INTO reply_jobs AS j (tenant_id, session_id, trigger_message_ids, status, due_at, created_at, updated_at, correlation_id)
        SELECT k.tenant_id, k.session_id, ARRAY[k.trigger_message_id], 'pending', k.due_at, k.now, k.now, k.correlation_id
        FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::timestamptz[], $5::timestamptz[], $6::text[])
             AS k(tenant_id, session_id, trigger_message_id, due_at, now, correlation_id)
        ON CONFLICT (session_id) WHERE status = 'pending' AND kind = 'reply' DO UPDATE
        SET trigger_message_ids = j.trigger_message_ids || EXCLUDED.trigger_message_ids,
            due_at = GREATEST(j.due_at, EXCLUDED.due_at),
            updated_at = EXCLUDED.updated_at,
            correlation_id = COALESCE(j.correlation_id, EXCLUDED.correlation_id)
        """;

    /// <summary>
    /// The opening: create missing sessions, lock and read them (<see cref="LockSessionsSql"/>), append the messages.
    /// Results: the locked sessions in the rows' order, then the appended messages' (id, session_id, provider_message_id).
    /// </summary>
    public static void AddOpenCommands(NpgsqlBatch batch, IReadOnlyList<OpenedChatRow> rows, string extraSessionColumns)
    {
        batch.BatchCommands.Add(Command(CreateMissingSessionsSql,
            Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId),
            Times(rows, r => r.Now), Times(rows, r => r.SentAt), Texts(rows, r => r.ContactName)));
        batch.BatchCommands.Add(Command(LockSessionsSql(extraSessionColumns), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId)));
        batch.BatchCommands.Add(Command(AppendMessagesSql,
            Longs(rows, r => r.TenantId), Longs(rows, r => r.InstanceId), Texts(rows, r => r.ChatId), Texts(rows, r => r.ProviderMessageId),
            Texts(rows, r => r.Direction), Texts(rows, r => r.MessageType), Texts(rows, r => r.Text), Texts(rows, r => JsonbText.Sanitized(r.RawJson).Json),
            Times(rows, r => r.SentAt)));
    }

    public static NpgsqlBatchCommand InsertTimeline(IReadOnlyList<TimelineRow> rows) => Command(InsertTimelineSql,
        Longs(rows, r => r.TenantId), Longs(rows, r => r.SessionId), NullableLongs(rows, r => r.MessageId), Texts(rows, r => r.Action),
        Texts(rows, r => r.Detail), Times(rows, r => r.At));

    public static NpgsqlBatchCommand EnqueueReplies(IReadOnlyList<ReplyEnqueueRow> rows) => Command(EnqueueRepliesSql,
        Longs(rows, r => r.TenantId), Longs(rows, r => r.SessionId), Longs(rows, r => r.TriggerMessageId), Times(rows, r => r.DueAt),
        Times(rows, r => r.Now), Texts(rows, r => r.CorrelationId));

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlParameter Array<TRow, TValue>(IReadOnlyList<TRow> rows, Func<TRow, TValue> column, NpgsqlDbType type)
    {
        var values = new TValue[rows.Count];
        for (var i = 0; i < values.Length; i++) values[i] = column(rows[i]);
        return new NpgsqlParameter { Value = values, NpgsqlDbType = NpgsqlDbType.Array | type };
    }

    private static NpgsqlParameter Longs<T>(IReadOnlyList<T> rows, Func<T, long> column) => Array(rows, column, NpgsqlDbType.Bigint);

    private static NpgsqlParameter NullableLongs<T>(IReadOnlyList<T> rows, Func<T, long?> column) => Array(rows, column, NpgsqlDbType.Bigint);

    private static NpgsqlParameter Texts<T>(IReadOnlyList<T> rows, Func<T, string?> column) => Array(rows, column, NpgsqlDbType.Text);

    private static NpgsqlParameter Times<T>(IReadOnlyList<T> rows, Func<T, DateTimeOffset> column) =>
        Array(rows, r => column(r).UtcDateTime, NpgsqlDbType.TimestampTz);

}
