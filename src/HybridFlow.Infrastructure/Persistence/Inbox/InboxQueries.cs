using System.Globalization;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Inbox;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>
/// The inbox's reads. The list is one statement per page (plus its count): the unread count, the last message (a LATERAL
/// on messages_session_sent_idx), the assignee and the tags come with each row, and the default list (one tenant, open,
/// newest activity first) walks sessions_inbox_idx. Statements are built with only the conditions in use, so that
/// prepared plans never carry an "$n IS NULL OR ..." that hides the index.
/// </summary>
public sealed class InboxQueries : IInboxQueries
{
    private readonly NpgsqlDataSource _db;
    private readonly InboxQueryOptions _options;

    public InboxQueries(NpgsqlDataSource db, InboxQueryOptions options)
    {
        _db = db;
        _options = options;
    }

    /// <summary>
    /// Runs <paramref name="read"/> in a transaction whose statements stop after INBOX_QUERY_TIMEOUT_MS
    /// (SET LOCAL: the pooled connection keeps no setting); a statement stopped so is a <see cref="QueryTimedOutException"/>.
    /// </summary>
    private async Task<T> TimedAsync<T>(Func<NpgsqlConnection, Task<T>> read, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var timeoutMs = ((long)Math.Ceiling(_options.StatementTimeout.TotalMilliseconds)).ToString(CultureInfo.InvariantCulture);
        await using (var set = connection.Command($"SET LOCAL statement_timeout = {timeoutMs}", tx))
            await set.ExecuteNonQueryAsync(ct);
        try
        {
            var result = await read(connection);
            await tx.CommitAsync(ct);
            return result;
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.QueryCanceled && !ct.IsCancellationRequested)
        {
            throw new QueryTimedOutException($"An inbox query ran past INBOX_QUERY_TIMEOUT_MS ({timeoutMs} ms).", e);
        }
    }

    /// <summary>The visibility rule (ConversationScope's SQL form), on <c>sessions s</c>.</summary>
    internal static void AddVisibility(SqlConditions where, ConversationScope scope)
    {
        if (scope.SqlCondition("s.tenant_id", "s.assignee_user_id", where.Arg) is { } visible) where.Add(visible);
    }

    private const string NeedsAttention =
        "(s.needs_attention OR EXISTS (SELECT 1 FROM reply_jobs j WHERE j.session_id = s.id AND j.status = 'needs_attention'))";

    public Task<(IReadOnlyList<ConversationDto> Items, long Total)> ListAsync(
        ConversationScope scope, ConversationListFilter filter, int page, int pageSize, CancellationToken ct) => TimedAsync<(IReadOnlyList<ConversationDto>, long)>(async connection =>
    {
        var list = ListStatements(scope, filter, page, pageSize);
        long total;
        await using (var count = connection.Command(list.CountSql, null, [.. list.CountArgs]))
            total = (long)(await count.ExecuteScalarAsync(ct))!;
        if (total == 0) return ([], 0);
        return (await ReadConversationsAsync(connection, list.PageSql, list.PageArgs, ct), total);
    }, ct);

    /// <summary>The list's two statements (the count and the page) with their parameters; public for the plan test.</summary>
    public static (string CountSql, IReadOnlyList<object> CountArgs, string PageSql, IReadOnlyList<object> PageArgs) ListStatements(
        ConversationScope scope, ConversationListFilter filter, int page, int pageSize)
    {
        var where = new SqlConditions();
        AddVisibility(where, scope);
        AddFilter(where, filter);
        var countSql = $"SELECT count(*) FROM sessions s WHERE {where}";
        var countArgs = where.Args.ToList();
        var select = ConversationSelect(scope.ReaderUserId is { } reader ? where.Arg(reader) : null);
        var limit = where.Arg(pageSize);
        var offset = where.Arg((long)(page - 1) * pageSize);
        var pageSql = $"""
            {select}
            WHERE {where}
            ORDER BY s.last_message_minute DESC NULLS LAST, s.last_message_at DESC NULLS LAST, s.id DESC
            LIMIT {limit} OFFSET {offset}
            """;
        return (countSql, countArgs, pageSql, where.Args.ToList());
    }

    public Task<ConversationDto?> FindAsync(ConversationScope scope, long sessionId, CancellationToken ct) => TimedAsync(async connection =>
    {
        var where = new SqlConditions();
        where.Add($"s.id = {where.Arg(sessionId)}");
        AddVisibility(where, scope);
        var select = ConversationSelect(scope.ReaderUserId is { } reader ? where.Arg(reader) : null);
        var items = await ReadConversationsAsync(connection, $"{select} WHERE {where}", where.Args, ct);
        return items.Count == 0 ? null : items[0];
    }, ct);

    private static void AddFilter(SqlConditions where, ConversationListFilter filter)
    {
        const string open = "s.resolved_at IS NULL";
        const string handoff = "(s.is_paused AND s.pause_reason = 'handoff_requested')";
        switch (filter.Status)
        {
            case ConversationStatusFilter.Open: where.Add(open); break;
            case ConversationStatusFilter.Bot: where.Add(open); where.Add("NOT s.is_paused"); break;
            case ConversationStatusFilter.Paused: where.Add(open); where.Add("s.is_paused"); break;
            case ConversationStatusFilter.Handoff: where.Add(open); where.Add(handoff); break;
            case ConversationStatusFilter.NeedsPerson: where.Add(open); where.Add($"({handoff} OR {NeedsAttention})"); break;
            case ConversationStatusFilter.Resolved: where.Add("s.resolved_at IS NOT NULL"); break;
            case ConversationStatusFilter.All: break;
        }
        if (filter.SessionIds is { } ids) where.Add($"s.id = ANY({where.Arg(ids.ToArray())})");
        if (filter.AssigneeUserId is { } assignee) where.Add($"s.assignee_user_id = {where.Arg(assignee)}");
        else if (filter.Unassigned) where.Add("s.assignee_user_id IS NULL");
        // @> rather than = ANY: the GIN index on tags serves it.
        if (filter.Tag is { } tag) where.Add($"s.tags @> ARRAY[{where.Arg(tag)}::text]");
        if (filter.Search is { } search)
        {
            var pattern = where.Arg("%" + EscapeLike(search) + "%");
            // IN, not a correlated EXISTS: the matching messages are found once through messages_text_trgm_idx (V0017).
            var matches = $"s.contact_name ILIKE {pattern} OR s.id IN (SELECT m.session_id FROM messages m WHERE m.text ILIKE {pattern})";
            // A number (digits, spaces, + ( ) - .) also matches the chat id's digits; a name with a digit in it does not.
            var digits = new string(search.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length >= 3 && search.All(ch => char.IsAsciiDigit(ch) || " +()-.".Contains(ch)))
                matches += $" OR s.chat_id LIKE {where.Arg("%" + digits + "%@%")}";
            where.Add($"({matches})");
        }
    }

    /// <summary>LIKE's wildcards and its escape character, taken literally.</summary>
    internal static string EscapeLike(string text) =>
        text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>
    /// The conversation columns, read by <see cref="ReadConversationsAsync"/>. Unread (with a reader, the parameter
    /// <paramref name="readerArg"/>): the customer's messages after the reader's last read one, in the thread's order
    /// (sent_at, id), an index range on messages_session_sent_idx. Without a reader (an API key) it is 0.
    /// </summary>
    private static string ConversationSelect(string? readerArg)
    {
        var unread = readerArg is null ? "0::bigint" : """
            (SELECT count(*) FROM messages m
             WHERE m.session_id = s.id AND m.direction = 'inbound'
               AND (m.sent_at, m.id) > (COALESCE(rd.sent_at, '-infinity'::timestamptz), COALESCE(rd.id, 0)))
            """;
        var readPoint = readerArg is null ? "" : $"""
            LEFT JOIN LATERAL (
                SELECT rm.sent_at, rm.id FROM inbox_reads r JOIN messages rm ON rm.id = r.last_read_message_id
                WHERE r.session_id = s.id AND r.user_id = {readerArg}) rd ON true
            """;
        return $"""
            SELECT s.id AS session_id, s.tenant_id, i.instance_name, s.chat_id, s.contact_name, s.is_paused, s.pause_reason, s.paused_until,
                   s.resolved_at IS NOT NULL AS resolved, {NeedsAttention} AS needs_attention,
                   s.assignee_user_id, u.display_name AS assignee_name, s.tags, {unread} AS unread_count,
                   lm.direction AS last_direction, left(lm.text, {InboxLimits.PreviewLength}) AS last_text, lm.message_type AS last_type,
                   lm.sent_at AS last_at, s.last_message_at
            FROM sessions s
            JOIN instances i ON i.id = s.instance_id
            LEFT JOIN users u ON u.id = s.assignee_user_id
            LEFT JOIN LATERAL (
                SELECT m.direction, m.text, m.message_type, m.sent_at FROM messages m
                WHERE m.session_id = s.id ORDER BY m.sent_at DESC, m.id DESC LIMIT 1) lm ON true
            {readPoint}
            """;
    }

    private static async Task<List<ConversationDto>> ReadConversationsAsync(NpgsqlConnection connection, string sql, IReadOnlyList<object> args, CancellationToken ct)
    {
        await using var cmd = connection.Command(sql, null, [.. args]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<ConversationDto>();
        while (await r.ReadAsync(ct))
        {
            string? Text(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetString(r.GetOrdinal(column));
            DateTimeOffset? At(string column) => SqlMapping.Time(r, r.GetOrdinal(column));
            var chatId = r.GetString(r.GetOrdinal("chat_id"));
            var isPaused = r.GetBoolean(r.GetOrdinal("is_paused"));
            var pauseReason = Text("pause_reason");
            var assignee = r.IsDBNull(r.GetOrdinal("assignee_user_id")) ? null
                : new PersonDto(r.GetInt64(r.GetOrdinal("assignee_user_id")), Text("assignee_name") ?? "");
            var lastDirection = Text("last_direction");
            var last = lastDirection is null ? null : new LastMessageDto(lastDirection, Text("last_text"), Text("last_type") ?? "unknown", At("last_at")!.Value);
            items.Add(new ConversationDto(
                r.GetInt64(r.GetOrdinal("session_id")), r.GetInt64(r.GetOrdinal("tenant_id")), r.GetString(r.GetOrdinal("instance_name")), chatId,
                ConversationStatuses.PhoneOf(chatId), Text("contact_name"),
                ConversationStatuses.Of(r.GetBoolean(r.GetOrdinal("resolved")), isPaused, pauseReason),
                isPaused, pauseReason, At("paused_until"), r.GetBoolean(r.GetOrdinal("needs_attention")), assignee,
                r.GetFieldValue<string[]>(r.GetOrdinal("tags")), r.GetInt64(r.GetOrdinal("unread_count")), last, At("last_message_at")));
        }
        return items;
    }

    public Task<IReadOnlyList<ThreadItemDto>> ThreadAsync(long sessionId, ThreadCursor? before, int limit, CancellationToken ct) => TimedAsync<IReadOnlyList<ThreadItemDto>>(async connection =>
    {
        var args = new List<object> { sessionId, limit };
        // Each table is read newest first, at most `limit` rows, from before the cursor; its bound on (time, id) follows
        // from the cursor's kind: a later kind at the same time is after the cursor, an earlier kind before it.
        string Before(string timeColumn, string idColumn, int kindOrder)
        {
            if (before is null) return "";
            var idBound = kindOrder < before.KindOrder ? long.MaxValue : kindOrder == before.KindOrder ? before.Id : long.MinValue;
            args.Add(before.At);
            args.Add(idBound);
            return $"AND ({timeColumn}, {idColumn}) < (${args.Count - 1}, ${args.Count})";
        }

        var sql = $"""
            SELECT * FROM (
                (SELECT 0 AS kind, m.id, m.sent_at AS at, m.direction, m.message_type, m.text, m.media_text, m.status, m.delivered_at, m.read_at,
                        m.deleted_at IS NOT NULL AS deleted, m.sent_by_user_id AS person_id, u.display_name AS person_name,
                        NULL::text AS action, NULL::text AS detail, NULL::bigint AS message_id
                 FROM messages m LEFT JOIN users u ON u.id = m.sent_by_user_id
                 WHERE m.session_id = $1 {Before("m.sent_at", "m.id", 0)}
                 ORDER BY m.sent_at DESC, m.id DESC LIMIT $2)
                UNION ALL
                (SELECT 1, e.id, e.created_at, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.action, e.detail, e.message_id
                 FROM session_events e
                 WHERE e.session_id = $1 {Before("e.created_at", "e.id", 1)}
                 ORDER BY e.created_at DESC, e.id DESC LIMIT $2)
                UNION ALL
                (SELECT 2, n.id, n.created_at, NULL, NULL, n.text, NULL, NULL, NULL, NULL, NULL, n.author_user_id, n.author_name, NULL, NULL, NULL
                 FROM inbox_notes n
                 WHERE n.session_id = $1 {Before("n.created_at", "n.id", 2)}
                 ORDER BY n.created_at DESC, n.id DESC LIMIT $2)
            ) t
            ORDER BY at DESC, kind DESC, id DESC
            LIMIT $2
            """;
        await using var cmd = connection.Command(sql, null, [.. args]);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<ThreadItemDto>();
        while (await r.ReadAsync(ct))
        {
            string? Text(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetString(r.GetOrdinal(column));
            DateTimeOffset? At(string column) => SqlMapping.Time(r, r.GetOrdinal(column));
            long? Id(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetInt64(r.GetOrdinal(column));
            var id = r.GetInt64(r.GetOrdinal("id"));
            var at = At("at")!.Value;
            var personName = Text("person_name");
            items.Add(r.GetInt32(r.GetOrdinal("kind")) switch
            {
                0 => new ThreadMessageDto(id, at, Text("direction")!, Text("message_type")!, Text("text"), Text("media_text"), Text("status"),
                    At("delivered_at"), At("read_at"), r.GetBoolean(r.GetOrdinal("deleted")),
                    Id("person_id") is { } sender ? new PersonDto(sender, personName ?? "") : null),
                1 => new ThreadEventDto(id, at, Text("action")!, Text("detail"), Id("message_id")),
                _ => new NoteDto(id, at, Text("text")!, new PersonDto(Id("person_id"), personName ?? "")),
            });
        }
        return items;
    }, ct);

    public Task<IReadOnlyList<AssigneeDto>> AssigneesAsync(long tenantId, CancellationToken ct) => TimedAsync<IReadOnlyList<AssigneeDto>>(async connection =>
    {
        await using var cmd = connection.Command(
            "SELECT id, display_name, role FROM users WHERE tenant_id = $1 ORDER BY lower(display_name), id", null, tenantId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var items = new List<AssigneeDto>();
        while (await r.ReadAsync(ct)) items.Add(new AssigneeDto(r.GetInt64(0), r.GetString(1), r.GetString(2)));
        return items;
    }, ct);

    public Task<InboxUser?> FindUserAsync(long userId, CancellationToken ct) => TimedAsync(async connection =>
    {
        await using var cmd = connection.Command("SELECT id, tenant_id, role, display_name FROM users WHERE id = $1", null, userId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new InboxUser(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3));
    }, ct);
}

/// <summary>A WHERE clause built from the conditions in use, with their positional parameters.</summary>
internal sealed class SqlConditions
{
    private readonly List<string> _conditions = [];
    private readonly List<object> _args = [];

    public IReadOnlyList<object> Args => _args;

    /// <summary>Adds a parameter; answers its placeholder.</summary>
    public string Arg(object value)
    {
        _args.Add(value);
        return "$" + _args.Count.ToString(CultureInfo.InvariantCulture);
    }

    public void Add(string condition) => _conditions.Add(condition);

    public override string ToString() => _conditions.Count == 0 ? "true" : string.Join(" AND ", _conditions);
}
