using System.Globalization;
using Dapper;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Inbox;
using HybridFlow.Domain.Chats;
using HybridFlow.Infrastructure.Persistence.Inbox;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The inbox's reads. The list is one statement per page (plus its count): the unread count, the last message (a LATERAL
/// on messages_session_sent_idx), the assignee and the tags come with each row, and the default list (one tenant, open,
/// newest activity first) walks sessions_inbox_idx. Statements are built with only the conditions in use, so that
/// prepared plans never carry an "$n IS NULL OR ..." that hides the index.
/// </summary>
internal sealed class InboxQueries : IInboxQueries
{
    private readonly NpgsqlDataSource _db;
    private readonly InboxQueryOptions _options;
    private readonly TimeProvider _time;

    public InboxQueries(NpgsqlDataSource db, InboxQueryOptions options, TimeProvider time)
    {
        _db = db;
        _options = options;
        _time = time;
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
        await connection.ExecuteAsync(new CommandDefinition($"SET LOCAL statement_timeout = {timeoutMs}", transaction: tx, cancellationToken: ct));
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
    internal static void AddVisibility(List<string> where, DynamicParameters args, ConversationScope scope)
    {
        var n = 0;
        if (scope.SqlCondition("s.tenant_id", "s.assignee_user_id", value => SqlWhere.Arg(args, $"visible{++n}", value)) is { } visible) where.Add(visible);
    }

    private static readonly string NeedsAttention = ReplyJobs.ReplyJobSql.ChatNeedsAttention;

    public Task<(IReadOnlyList<ConversationDto> Items, long Total)> ListAsync(
        ConversationScope scope, ConversationListFilter filter, int page, int pageSize, CancellationToken ct) => TimedAsync<(IReadOnlyList<ConversationDto>, long)>(async connection =>
    {
        var list = ListStatements(scope, filter, page, pageSize);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(list.CountSql, list.CountArgs, cancellationToken: ct));
        if (total == 0) return ([], 0);
        return (await ReadConversationsAsync(connection, list.PageSql, list.PageArgs, _time.GetUtcNow(), ct), total);
    }, ct);

    /// <summary>The list's two statements (the count and the page) with their parameters; public for the plan test.</summary>
    public static (string CountSql, DynamicParameters CountArgs, string PageSql, DynamicParameters PageArgs) ListStatements(
        ConversationScope scope, ConversationListFilter filter, int page, int pageSize)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        AddVisibility(where, args, scope);
        AddFilter(where, args, filter);
        var countSql = $"SELECT count(*) FROM sessions s WHERE {SqlWhere.All(where)}";
        var countArgs = new DynamicParameters(args);
        var select = ConversationSelect(scope.ReaderUserId is { } reader ? SqlWhere.Arg(args, "reader", reader) : null);
        var pageSql = $"""
            {select}
            WHERE {SqlWhere.All(where)}
            ORDER BY s.last_message_minute DESC NULLS LAST, s.last_message_at DESC NULLS LAST, s.id DESC
            LIMIT {SqlWhere.Arg(args, "limit", pageSize)} OFFSET {SqlWhere.Arg(args, "offset", (long)(page - 1) * pageSize)}
            """;
        return (countSql, countArgs, pageSql, args);
    }

    public Task<ConversationDto?> FindAsync(ConversationScope scope, long sessionId, CancellationToken ct) => TimedAsync(async connection =>
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        where.Add($"s.id = {SqlWhere.Arg(args, "session_id", sessionId)}");
        AddVisibility(where, args, scope);
        var select = ConversationSelect(scope.ReaderUserId is { } reader ? SqlWhere.Arg(args, "reader", reader) : null);
        var items = await ReadConversationsAsync(connection, $"{select} WHERE {SqlWhere.All(where)}", args, _time.GetUtcNow(), ct);
        return items.Count == 0 ? null : items[0];
    }, ct);

    private static void AddFilter(List<string> where, DynamicParameters args, ConversationListFilter filter)
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
        if (filter.SessionIds is { } ids) where.Add($"s.id = ANY({SqlWhere.Arg(args, "session_ids", ids.ToArray())})");
        if (filter.AssigneeUserId is { } assignee) where.Add($"s.assignee_user_id = {SqlWhere.Arg(args, "assignee", assignee)}");
        else if (filter.Unassigned) where.Add("s.assignee_user_id IS NULL");
        // @> rather than = ANY: the GIN index on tags serves it.
        if (filter.Tag is { } tag) where.Add($"s.tags @> ARRAY[{SqlWhere.Arg(args, "tag", tag)}::text]");
        if (filter.Search is { } search)
        {
            var pattern = SqlWhere.Arg(args, "search", "%" + EscapeLike(search) + "%");
            // IN, not a correlated EXISTS: the matching messages are found once through messages_text_trgm_idx (V0017).
            var matches = $"s.contact_name ILIKE {pattern} OR s.id IN (SELECT m.session_id FROM messages m WHERE m.text ILIKE {pattern})"
                + $" OR EXISTS (SELECT 1 FROM contacts ct WHERE ct.tenant_id = s.tenant_id AND ct.chat_id = s.chat_id AND ct.display_name ILIKE {pattern})";
            // A number (digits, spaces, + ( ) - .) also matches the chat id's digits; a name with a digit in it does not.
            var digits = new string(search.Where(char.IsAsciiDigit).ToArray());
            if (digits.Length >= 3 && search.All(ch => char.IsAsciiDigit(ch) || " +()-.".Contains(ch)))
                matches += $" OR s.chat_id LIKE {SqlWhere.Arg(args, "search_digits", "%" + digits + "%@%")}";
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
    /// A Cloud API conversation's 24-hour window is counted from its customer's last message (the newest inbound sent_at,
    /// WhatsApp's timestamp): read backwards on messages_session_sent_idx, and only for meta_cloud instances (CASE
    /// evaluates the subquery only for them), so Evolution's conversations pay nothing for it.
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
            SELECT s.id AS session_id, s.tenant_id, i.instance_name, s.chat_id,
                   COALESCE((SELECT ct.display_name FROM contacts ct WHERE ct.tenant_id = s.tenant_id AND ct.chat_id = s.chat_id), s.contact_name) AS contact_name,
                   s.is_paused, s.pause_reason, s.paused_until,
                   s.resolved_at IS NOT NULL AS resolved, {NeedsAttention} AS needs_attention,
                   s.assignee_user_id, u.display_name AS assignee_name, s.tags, {unread} AS unread_count,
                   lm.direction AS last_direction, left(lm.text, {InboxLimits.PreviewLength}) AS last_text, lm.message_type AS last_type,
                   lm.sent_at AS last_at, s.last_message_at, i.provider,
                   CASE WHEN i.provider = 'meta_cloud' THEN (
                       SELECT cm.sent_at FROM messages cm WHERE cm.session_id = s.id AND cm.direction = 'inbound'
                       ORDER BY cm.sent_at DESC, cm.id DESC LIMIT 1) END AS last_customer_message_at
            FROM sessions s
            JOIN instances i ON i.id = s.instance_id
            LEFT JOIN users u ON u.id = s.assignee_user_id
            LEFT JOIN LATERAL (
                SELECT m.direction, m.text, m.message_type, m.sent_at FROM messages m
                WHERE m.session_id = s.id ORDER BY m.sent_at DESC, m.id DESC LIMIT 1) lm ON true
            {readPoint}
            """;
    }

    private static async Task<List<ConversationDto>> ReadConversationsAsync(
        NpgsqlConnection connection, string sql, DynamicParameters args, DateTimeOffset now, CancellationToken ct)
    {
        var rows = await connection.QueryAsync<ConversationRow>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => new ConversationDto(
            r.SessionId, r.TenantId, r.InstanceName, r.ChatId, ConversationStatuses.PhoneOf(r.ChatId), r.ContactName,
            ConversationStatuses.Of(r.Resolved, r.IsPaused, r.PauseReason),
            r.IsPaused, r.PauseReason, r.PausedUntil, r.NeedsAttention,
            r.AssigneeUserId is { } assignee ? new PersonDto(assignee, r.AssigneeName ?? "") : null,
            r.Tags, r.UnreadCount,
            r.LastDirection is null ? null : new LastMessageDto(r.LastDirection, r.LastText, r.LastType ?? "unknown", r.LastAt!.Value),
            r.LastMessageAt,
            r.Provider,
            r.Provider == ChannelProviders.MetaCloudName ? ServiceWindowDto.Of(ServiceWindow.After(r.LastCustomerMessageAt), now) : null)).ToList();
    }

    public Task<IReadOnlyList<ThreadItemDto>> ThreadAsync(long sessionId, ThreadCursor? before, int limit, CancellationToken ct) => TimedAsync<IReadOnlyList<ThreadItemDto>>(async connection =>
    {
        var args = new DynamicParameters();
        args.Add("session_id", sessionId);
        args.Add("limit", limit);
        // Each table is read newest first, at most `limit` rows, from before the cursor; its bound on (time, id) follows
        // from the cursor's kind: a later kind at the same time is after the cursor, an earlier kind before it.
        string Before(string timeColumn, string idColumn, int kindOrder)
        {
            if (before is null) return "";
            var idBound = kindOrder < before.KindOrder ? long.MaxValue : kindOrder == before.KindOrder ? before.Id : long.MinValue;
            return $"AND ({timeColumn}, {idColumn}) < ({SqlWhere.Arg(args, $"before_at{kindOrder}", PgArg.Time(before.At))}, {SqlWhere.Arg(args, $"before_id{kindOrder}", idBound)})";
        }

        var sql = $"""
            SELECT * FROM (
                (SELECT 0 AS kind, m.id, m.sent_at AS at, m.direction, m.message_type, m.text, m.media_text, m.status, m.delivered_at, m.read_at,
                        m.deleted_at IS NOT NULL AS deleted, m.sent_by_user_id AS person_id, u.display_name AS person_name,
                        NULL::text AS action, NULL::text AS detail, NULL::bigint AS message_id
                 FROM messages m LEFT JOIN users u ON u.id = m.sent_by_user_id
                 WHERE m.session_id = @session_id {Before("m.sent_at", "m.id", 0)}
                 ORDER BY m.sent_at DESC, m.id DESC LIMIT @limit)
                UNION ALL
                (SELECT 1, e.id, e.created_at, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, e.action, e.detail, e.message_id
                 FROM session_events e
                 WHERE e.session_id = @session_id {Before("e.created_at", "e.id", 1)}
                 ORDER BY e.created_at DESC, e.id DESC LIMIT @limit)
                UNION ALL
                (SELECT 2, n.id, n.created_at, NULL, NULL, n.text, NULL, NULL, NULL, NULL, NULL, n.author_user_id, n.author_name, NULL, NULL, NULL
                 FROM inbox_notes n
                 WHERE n.session_id = @session_id {Before("n.created_at", "n.id", 2)}
                 ORDER BY n.created_at DESC, n.id DESC LIMIT @limit)
            ) t
            ORDER BY at DESC, kind DESC, id DESC
            LIMIT @limit
            """;
        var rows = await connection.QueryAsync<ThreadRow>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => r.Kind switch
        {
            0 => (ThreadItemDto)new ThreadMessageDto(r.Id, r.At, r.Direction!, r.MessageType!, r.Text, r.MediaText, r.Status,
                r.DeliveredAt, r.ReadAt, r.Deleted == true, r.PersonId is { } sender ? new PersonDto(sender, r.PersonName ?? "") : null),
            1 => new ThreadEventDto(r.Id, r.At, r.Action!, r.Detail, r.MessageId),
            _ => new NoteDto(r.Id, r.At, r.Text!, new PersonDto(r.PersonId, r.PersonName ?? "")),
        }).ToList();
    }, ct);

    public Task<IReadOnlyList<AssigneeDto>> AssigneesAsync(long tenantId, CancellationToken ct) => TimedAsync<IReadOnlyList<AssigneeDto>>(async connection =>
    {
        var rows = await connection.QueryAsync<UserRow>(new CommandDefinition(
            "SELECT id, display_name, role FROM users WHERE tenant_id = @tenantId ORDER BY lower(display_name), id", new { tenantId }, cancellationToken: ct));
        return rows.Select(u => new AssigneeDto(u.Id, u.DisplayName, u.Role)).ToList();
    }, ct);

    public Task<InboxUser?> FindUserAsync(long userId, CancellationToken ct) => TimedAsync(async connection =>
    {
        var u = await connection.QuerySingleOrDefaultAsync<UserRow>(new CommandDefinition(
            "SELECT id, tenant_id, role, display_name FROM users WHERE id = @userId", new { userId }, cancellationToken: ct));
        return u is null ? null : new InboxUser(u.Id, u.TenantId, u.Role, u.DisplayName);
    }, ct);

    private sealed class ConversationRow
    {
        public long SessionId { get; init; }
        public long TenantId { get; init; }
        public string InstanceName { get; init; } = "";
        public string ChatId { get; init; } = "";
        public string? ContactName { get; init; }
        public bool IsPaused { get; init; }
        public string? PauseReason { get; init; }
        public DateTimeOffset? PausedUntil { get; init; }
        public bool Resolved { get; init; }
        public bool NeedsAttention { get; init; }
        public long? AssigneeUserId { get; init; }
        public string? AssigneeName { get; init; }
        public string[] Tags { get; init; } = [];
        public long UnreadCount { get; init; }
        public string? LastDirection { get; init; }
        public string? LastText { get; init; }
        public string? LastType { get; init; }
        public DateTimeOffset? LastAt { get; init; }
        public DateTimeOffset? LastMessageAt { get; init; }
        public string Provider { get; init; } = "";
        public DateTimeOffset? LastCustomerMessageAt { get; init; }
    }

    private sealed class ThreadRow
    {
        public int Kind { get; init; }
        public long Id { get; init; }
        public DateTimeOffset At { get; init; }
        public string? Direction { get; init; }
        public string? MessageType { get; init; }
        public string? Text { get; init; }
        public string? MediaText { get; init; }
        public string? Status { get; init; }
        public DateTimeOffset? DeliveredAt { get; init; }
        public DateTimeOffset? ReadAt { get; init; }
        public bool? Deleted { get; init; }
        public long? PersonId { get; init; }
        public string? PersonName { get; init; }
        public string? Action { get; init; }
        public string? Detail { get; init; }
        public long? MessageId { get; init; }
    }

    private sealed class UserRow
    {
        public long Id { get; init; }
        public long? TenantId { get; init; }
        public string Role { get; init; } = "";
        public string DisplayName { get; init; } = "";
    }
}
