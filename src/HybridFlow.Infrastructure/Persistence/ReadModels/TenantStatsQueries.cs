using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Stats;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// A tenant's stats in two statements and one round trip: the conversation counts (messages by their WhatsApp time,
/// timeline actions by when they were recorded), then the tokens by provider and model. Indexes: V0011.
/// </summary>
internal sealed class TenantStatsQueries : ITenantStatsQueries
{
    /// <summary>
    /// A takeover is a <c>paused</c> event (a person wrote) whose previous state event shows the chat was not already
    /// paused: none, a resume, or a handoff request (a person answering it turns it into a takeover). An owner writing
    /// again in a chat already paused also writes <c>paused</c>, and is not counted. A reply that went out is
    /// <c>ai_replied</c>, or, for a send whose answer was lost, <c>ai_resent</c> or a reply's <c>ai_send_confirmed</c>.
    /// The time to the first reply is percentile_cont (interpolated) over the conversations that got one.
    /// </summary>
    public const string CountsSql = """
        WITH period_messages AS (
            SELECT m.session_id, m.direction, m.sent_at FROM messages m
            WHERE m.tenant_id = $1 AND m.sent_at >= $2 AND m.sent_at < $3
        ),
        per_session AS (
            SELECT session_id,
                   min(sent_at) FILTER (WHERE direction = 'inbound') AS first_customer_at,
                   count(*) FILTER (WHERE direction = 'inbound') AS customer_messages,
                   count(*) FILTER (WHERE direction = 'bot') AS bot_messages,
                   count(*) FILTER (WHERE direction = 'human') AS human_messages
            FROM period_messages GROUP BY session_id
        ),
        conversations AS (
            SELECT * FROM per_session WHERE customer_messages > 0
        ),
        events AS (
            SELECT e.id, e.session_id, e.action FROM session_events e
            WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
              AND e.action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed', 'paused', 'handoff_requested', 'auto_resumed', 'resumed')
              AND (e.action <> 'ai_send_confirmed' OR e.detail LIKE 'reply:%')
        ),
        takeovers AS (
            SELECT e.session_id FROM events e
            WHERE e.action = 'paused'
              AND COALESCE((SELECT p.action FROM session_events p
                            WHERE p.session_id = e.session_id AND p.id < e.id
                              AND p.action IN ('paused', 'manual_pause', 'handoff_requested', 'resumed', 'auto_resumed')
                            ORDER BY p.id DESC LIMIT 1), 'resumed') IN ('resumed', 'auto_resumed', 'handoff_requested')
        ),
        first_replies AS (
            SELECT EXTRACT(EPOCH FROM (r.sent_at - c.first_customer_at))::float8 AS seconds
            FROM conversations c
            CROSS JOIN LATERAL (
                SELECT m.sent_at FROM messages m
                WHERE m.session_id = c.session_id AND m.direction = 'bot' AND m.sent_at >= c.first_customer_at
                ORDER BY m.sent_at LIMIT 1) r
        )
        SELECT EXISTS (SELECT 1 FROM tenants WHERE id = $1) AS tenant_exists,
               (SELECT count(*) FROM conversations) AS conversations,
               (SELECT COALESCE(sum(customer_messages), 0)::bigint FROM per_session) AS customer_messages,
               (SELECT COALESCE(sum(bot_messages), 0)::bigint FROM per_session) AS bot_messages,
               (SELECT count(*) FROM events WHERE action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed')) AS bot_replies,
               (SELECT count(*) FROM takeovers) AS human_takeovers,
               (SELECT count(*) FROM events WHERE action = 'handoff_requested') AS handoff_requests,
               (SELECT count(*) FROM events WHERE action = 'auto_resumed') AS auto_resumes,
               (SELECT count(*) FROM events WHERE action = 'resumed') AS manual_resumes,
               (SELECT count(*) FROM first_replies) AS first_reply_conversations,
               (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) FROM first_replies) AS first_reply_median,
               (SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) FROM first_replies) AS first_reply_p90,
               (SELECT count(*) FROM conversations c
                WHERE c.bot_messages > 0 AND c.human_messages = 0
                  -- NOT IN over a non-null column: one hashed subplan (NOT EXISTS on the CTEs planned as a nested loop, quadratic).
                  AND c.session_id NOT IN (SELECT session_id FROM takeovers
                                           UNION ALL SELECT session_id FROM events WHERE action = 'handoff_requested')) AS handled_by_bot
        """;

    public const string TokensSql = """
        SELECT provider, model, count(*) AS calls, sum(input_tokens)::bigint AS input, sum(output_tokens)::bigint AS output,
               sum(cached_input_tokens)::bigint AS cached
        FROM llm_usage WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY provider, model
        ORDER BY provider, model NULLS LAST
        """;

    /// <summary>
    /// <see cref="CountsSql"/> grouped by the day (in the time zone $4) of each message, action and call: a conversation is a
    /// chat with a customer message that day, and its first reply the first bot message after that day's first customer
    /// message. Each part is grouped once and joined to the period's days, so the cost does not grow with their number.
    /// </summary>
    public const string DaysSql = """
        WITH period_messages AS (
            SELECT m.session_id, m.direction, m.sent_at, (m.sent_at AT TIME ZONE $4)::date AS day FROM messages m
            WHERE m.tenant_id = $1 AND m.sent_at >= $2 AND m.sent_at < $3
        ),
        per_session AS (
            SELECT day, session_id,
                   min(sent_at) FILTER (WHERE direction = 'inbound') AS first_customer_at,
                   count(*) FILTER (WHERE direction = 'inbound') AS customer_messages,
                   count(*) FILTER (WHERE direction = 'bot') AS bot_messages,
                   count(*) FILTER (WHERE direction = 'human') AS human_messages
            FROM period_messages GROUP BY day, session_id
        ),
        events AS (
            SELECT e.id, e.session_id, e.action, (e.created_at AT TIME ZONE $4)::date AS day FROM session_events e
            WHERE e.tenant_id = $1 AND e.created_at >= $2 AND e.created_at < $3
              AND e.action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed', 'paused', 'handoff_requested', 'auto_resumed', 'resumed')
              AND (e.action <> 'ai_send_confirmed' OR e.detail LIKE 'reply:%')
        ),
        takeovers AS (
            SELECT e.day, e.session_id FROM events e
            WHERE e.action = 'paused'
              AND COALESCE((SELECT p.action FROM session_events p
                            WHERE p.session_id = e.session_id AND p.id < e.id
                              AND p.action IN ('paused', 'manual_pause', 'handoff_requested', 'resumed', 'auto_resumed')
                            ORDER BY p.id DESC LIMIT 1), 'resumed') IN ('resumed', 'auto_resumed', 'handoff_requested')
        ),
        people AS (
            SELECT day, session_id FROM takeovers
            UNION SELECT day, session_id FROM events WHERE action = 'handoff_requested'
        ),
        first_replies AS (
            SELECT c.day, EXTRACT(EPOCH FROM (r.sent_at - c.first_customer_at))::float8 AS seconds
            FROM per_session c
            CROSS JOIN LATERAL (
                SELECT m.sent_at FROM messages m
                WHERE m.session_id = c.session_id AND m.direction = 'bot' AND m.sent_at >= c.first_customer_at
                ORDER BY m.sent_at LIMIT 1) r
            WHERE c.customer_messages > 0
        ),
        days AS (
            SELECT d::date AS day
            FROM generate_series(($2 AT TIME ZONE $4)::date, (($3 - interval '1 microsecond') AT TIME ZONE $4)::date, interval '1 day') d
        )
        SELECT d.day,
               COALESCE(c.conversations, 0) AS conversations,
               COALESCE(c.customer_messages, 0) AS customer_messages,
               COALESCE(c.bot_messages, 0) AS bot_messages,
               COALESCE(c.handled_by_bot, 0) AS handled_by_bot,
               COALESCE(e.bot_replies, 0) AS bot_replies,
               COALESCE(e.handoff_requests, 0) AS handoff_requests,
               COALESCE(t.human_takeovers, 0) AS human_takeovers,
               COALESCE(f.first_reply_conversations, 0) AS first_reply_conversations,
               f.first_reply_median, f.first_reply_p90
        FROM days d
        LEFT JOIN (
            SELECT s.day, count(*) FILTER (WHERE s.customer_messages > 0) AS conversations,
                   sum(s.customer_messages)::bigint AS customer_messages, sum(s.bot_messages)::bigint AS bot_messages,
                   count(*) FILTER (WHERE s.customer_messages > 0 AND s.bot_messages > 0 AND s.human_messages = 0 AND p.session_id IS NULL) AS handled_by_bot
            FROM per_session s LEFT JOIN people p ON p.day = s.day AND p.session_id = s.session_id
            GROUP BY s.day) c ON c.day = d.day
        LEFT JOIN (
            SELECT day, count(*) FILTER (WHERE action IN ('ai_replied', 'ai_resent', 'ai_send_confirmed')) AS bot_replies,
                   count(*) FILTER (WHERE action = 'handoff_requested') AS handoff_requests
            FROM events GROUP BY day) e ON e.day = d.day
        LEFT JOIN (SELECT day, count(*) AS human_takeovers FROM takeovers GROUP BY day) t ON t.day = d.day
        LEFT JOIN (
            SELECT day, count(*) AS first_reply_conversations,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS first_reply_median,
                   percentile_cont(0.9) WITHIN GROUP (ORDER BY seconds) AS first_reply_p90
            FROM first_replies GROUP BY day) f ON f.day = d.day
        ORDER BY d.day
        """;

    public const string DayTokensSql = """
        SELECT (created_at AT TIME ZONE $4)::date AS day, provider, model, count(*) AS calls, sum(input_tokens)::bigint AS input,
               sum(output_tokens)::bigint AS output, sum(cached_input_tokens)::bigint AS cached
        FROM llm_usage WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
        GROUP BY 1, provider, model
        ORDER BY 1, provider, model NULLS LAST
        """;

    private readonly NpgsqlDataSource _db;

    public TenantStatsQueries(NpgsqlDataSource db) => _db = db;

    public async Task<TenantStatsCounts?> ReadAsync(long tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Statement(CountsSql, tenantId, from, to));
        batch.BatchCommands.Add(Statement(TokensSql, tenantId, from, to));
        await using var r = await batch.ExecuteReaderAsync(ct);

        await r.ReadAsync(ct);
        if (!r.GetBoolean(r.GetOrdinal("tenant_exists"))) return null;
        long Count(string column) => r.GetInt64(r.GetOrdinal(column));
        double? Seconds(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetDouble(r.GetOrdinal(column));
        var counts = new TenantStatsCounts(
            Count("conversations"), Count("customer_messages"), Count("bot_replies"), Count("bot_messages"),
            Count("human_takeovers"), Count("handoff_requests"), Count("auto_resumes"), Count("manual_resumes"),
            Count("first_reply_conversations"), Seconds("first_reply_median"), Seconds("first_reply_p90"), Count("handled_by_bot"), []);

        await r.NextResultAsync(ct);
        var tokens = new List<ModelTokenCounts>();
        while (await r.ReadAsync(ct))
            tokens.Add(new ModelTokenCounts(
                r.GetString(r.GetOrdinal("provider")), r.IsDBNull(r.GetOrdinal("model")) ? null : r.GetString(r.GetOrdinal("model")),
                r.GetInt64(r.GetOrdinal("calls")), r.GetInt64(r.GetOrdinal("input")), r.GetInt64(r.GetOrdinal("output")), r.GetInt64(r.GetOrdinal("cached"))));
        return counts with { Tokens = tokens };
    }

    public async Task<IReadOnlyList<DayCounts>> ReadDaysAsync(long tenantId, DateTimeOffset from, DateTimeOffset to, string timeZone, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Statement(DaysSql, tenantId, from, to, timeZone));
        batch.BatchCommands.Add(Statement(DayTokensSql, tenantId, from, to, timeZone));
        await using var r = await batch.ExecuteReaderAsync(ct);

        var days = new List<DayCounts>();
        while (await r.ReadAsync(ct))
        {
            long Count(string column) => r.GetInt64(r.GetOrdinal(column));
            double? Seconds(string column) => r.IsDBNull(r.GetOrdinal(column)) ? null : r.GetDouble(r.GetOrdinal(column));
            days.Add(new DayCounts(DateOnly.FromDateTime(r.GetDateTime(r.GetOrdinal("day"))),
                Count("conversations"), Count("customer_messages"), Count("bot_replies"), Count("bot_messages"), Count("human_takeovers"),
                Count("handoff_requests"), Count("first_reply_conversations"), Seconds("first_reply_median"), Seconds("first_reply_p90"),
                Count("handled_by_bot"), []));
        }

        await r.NextResultAsync(ct);
        var tokens = new Dictionary<DateOnly, List<ModelTokenCounts>>();
        while (await r.ReadAsync(ct))
        {
            var day = DateOnly.FromDateTime(r.GetDateTime(r.GetOrdinal("day")));
            if (!tokens.TryGetValue(day, out var list)) tokens[day] = list = [];
            list.Add(new ModelTokenCounts(
                r.GetString(r.GetOrdinal("provider")), r.IsDBNull(r.GetOrdinal("model")) ? null : r.GetString(r.GetOrdinal("model")),
                r.GetInt64(r.GetOrdinal("calls")), r.GetInt64(r.GetOrdinal("input")), r.GetInt64(r.GetOrdinal("output")), r.GetInt64(r.GetOrdinal("cached"))));
        }
        return days.ConvertAll(d => tokens.TryGetValue(d.Date, out var list) ? d with { Tokens = list } : d);
    }

    private static NpgsqlBatchCommand Statement(string sql, long tenantId, DateTimeOffset from, DateTimeOffset to, string? timeZone = null)
    {
        var statement = new NpgsqlBatchCommand(sql)
        {
            Parameters =
            {
                new NpgsqlParameter { Value = tenantId },
                new NpgsqlParameter { Value = from.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                new NpgsqlParameter { Value = to.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz },
            },
        };
        if (timeZone is not null) statement.Parameters.Add(new NpgsqlParameter { Value = timeZone, NpgsqlDbType = NpgsqlDbType.Text });
        return statement;
    }
}
