using HybridFlow.Application.Inbox;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.IntegrationTests.Support;
using System.Net.Http.Json;
using Npgsql;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>
/// The conversation list's plans on 5,000 sessions (10 tenants, 40,000 messages): the default list walks sessions_inbox_idx
/// and stops at the page; the other plans are printed for the report (q reads each candidate session's messages).
/// </summary>
public sealed class InboxQueryPlanTests
{
    [Test]
    public async Task DefaultList_OnThousandsOfSessions_WalksTheInboxIndex()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, _) = await app.CreateTenantWithInstanceAsync();
        for (var i = 0; i < 9; i++) await app.CreateTenantWithInstanceAsync();
        var reader = await InboxSql.InsertUserAsync(app, tenantId, "Carla", "agent");

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        async Task RunAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await cmd.ExecuteNonQueryAsync();
        }
        await RunAsync($"""
            INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name, resolved_at, tags, is_paused, pause_reason)
            SELECT i.tenant_id, i.id, (5511900000000 + g) || '@s.whatsapp.net', now(), now(), now() - make_interval(mins => g),
                   'Cliente ' || g, CASE WHEN g % 5 = 0 THEN now() END, CASE WHEN g % 7 = 0 THEN ARRAY['vip'] ELSE ARRAY[]::text[] END,
                   g % 4 = 0, CASE WHEN g % 4 = 0 THEN 'human_takeover' END
            FROM instances i, generate_series(1, 500) g;
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, s.id || '-' || n, CASE WHEN n % 2 = 1 THEN 'inbound' ELSE 'bot' END,
                   'conversation', 'texto de exemplo número ' || n, s.last_message_at - make_interval(secs => (8 - n) * 30), now()
            FROM sessions s, generate_series(1, 8) n;
            INSERT INTO inbox_reads (session_id, user_id, last_read_message_id, read_at)
            SELECT s.id, {reader}, (SELECT max(m.id) - 3 FROM messages m WHERE m.session_id = s.id), now()
            FROM sessions s WHERE s.tenant_id = {tenantId} AND s.id % 2 = 0;
            """);
        await RunAsync("VACUUM ANALYZE sessions");
        await RunAsync("VACUUM ANALYZE messages");
        await RunAsync("VACUUM ANALYZE inbox_reads");

        async Task<string> PlanAsync(string name, ConversationScope scope, ConversationListFilter filter)
        {
            var list = InboxQueries.ListStatements(scope, filter, 1, 50);
            await using var cmd = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + list.PageSql, connection);
            foreach (var p in list.PageArgs.ParameterNames) cmd.Parameters.Add(new NpgsqlParameter(p, list.PageArgs.Get<object>(p)));
            var lines = new List<string>();
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) lines.Add(r.GetString(0));
            var plan = string.Join('\n', lines);
            await TestContext.Out.WriteLineAsync($"--- {name} ---\n{plan}\n");
            return plan;
        }

        var tenantAdmin = new ConversationScope(tenantId, null, reader);
        var defaultPlan = await PlanAsync("default: one tenant, open, with unread counts", tenantAdmin, new ConversationListFilter(ConversationStatusFilter.Open));
        Assert.That(defaultPlan, Does.Contain("sessions_inbox_idx"));
        Assert.That(defaultPlan, Does.Contain("Presorted Key: s.last_message_minute"), "one minute's sessions sorted at a time under the index scan");
        Assert.That(defaultPlan, Does.Not.Contain("Seq Scan on sessions"));
        Assert.That(defaultPlan, Does.Contain("messages_session_sent_idx"), "the last message and the unread count");

        var agentPlan = await PlanAsync("agent user: assigned to me or unassigned", new ConversationScope(tenantId, reader, reader),
            new ConversationListFilter(ConversationStatusFilter.Open));
        Assert.That(agentPlan, Does.Contain("sessions_inbox_idx"));

        await PlanAsync("q: a name or a text", tenantAdmin, new ConversationListFilter(ConversationStatusFilter.Open, Search: "exemplo 9"));
        await PlanAsync("q: digits", tenantAdmin, new ConversationListFilter(ConversationStatusFilter.Open, Search: "11900000123"));
        await PlanAsync("needs_person", tenantAdmin, new ConversationListFilter(ConversationStatusFilter.NeedsPerson));
        await PlanAsync("tag", tenantAdmin, new ConversationListFilter(ConversationStatusFilter.All, Tag: "vip"));
        await PlanAsync("platform admin, every tenant", new ConversationScope(null, null, null), new ConversationListFilter(ConversationStatusFilter.Open));
    }

    [Test]
    public async Task CustomerMessagesWithinAMinute_UpdateTheSessionInPlace_AsHotUpdates()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var chat = Payloads.NewChatId();
        var minute = DateTimeOffset.UtcNow.AddMinutes(-5);
        minute = new DateTimeOffset(minute.Year, minute.Month, minute.Day, minute.Hour, minute.Minute, 0, TimeSpan.Zero);
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi", at: minute.AddSeconds(1))), Is.EqualTo("recorded"));

        const string counts = "SELECT n_tup_upd * 1000000 + n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'sessions'";
        async Task<(long Updates, long Hot)> CountsAsync()
        {
            var packed = await app.ScalarAsync<long>(counts);
            return (packed / 1_000_000, packed % 1_000_000);
        }
        // The statistics reach other backends a little after each commit: wait until they stand still.
        async Task<(long Updates, long Hot)> SettledAsync(long atLeastUpdates)
        {
            (long, long) seen = default;
            await HybridFlowApp.EventuallyAsync(async () => (seen = await CountsAsync()).Item1 >= atLeastUpdates, "the session updates counted", TimeSpan.FromSeconds(60));
            return seen;
        }
        var before = await SettledAsync(1);

        for (var i = 2; i <= 6; i++)
            Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, $"mensagem {i}", at: minute.AddSeconds(i))), Is.EqualTo("recorded"));

        var after = await SettledAsync(before.Updates + 5);
        Assert.That(after.Updates - before.Updates, Is.EqualTo(5), "one session update per message");
        Assert.That(after.Hot - before.Hot, Is.EqualTo(5), "each one HOT: no indexed column of sessions changed within the minute");
    }

    /// <summary>Ten messages with varied texts per session, vacuumed and analyzed; answers the tenant.</summary>
    private static async Task<long> SeedSearchableInboxAsync(HybridFlowApp app, int sessions)
    {
        var (tenantId, _) = await app.CreateTenantWithInstanceAsync();
        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name)
            SELECT i.tenant_id, i.id, (5511900000000 + g) || '@s.whatsapp.net', now(), now(), now() - make_interval(mins => g), 'Cliente ' || g
            FROM instances i, generate_series(1, {sessions}) g WHERE i.tenant_id = {tenantId};
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, s.id || '-' || n, 'inbound', 'conversation',
                   'pedido ' || md5(s.id || '-' || n) || ' para entrega', s.last_message_at - make_interval(secs => n), now()
            FROM sessions s, generate_series(1, 10) n WHERE s.tenant_id = {tenantId};
            """, connection) { CommandTimeout = 600 };
        await cmd.ExecuteNonQueryAsync();
        // VACUUM also moves the new rows out of the GIN indexes' pending lists, as autovacuum would on a live database.
        foreach (var table in new[] { "sessions", "messages" })
        {
            await using var vacuum = new NpgsqlCommand($"VACUUM ANALYZE {table}", connection) { CommandTimeout = 600 };
            await vacuum.ExecuteNonQueryAsync();
        }
        return tenantId;
    }

    [Test]
    public async Task Search_OnTwentyThousandMessages_FindsThemThroughTheTrigramIndex()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var tenantId = await SeedSearchableInboxAsync(app, 2000);
        var needle = (await app.ScalarAsync<string>($"SELECT substr(text, 8, 10) FROM messages WHERE tenant_id = {tenantId} ORDER BY id LIMIT 1 OFFSET 777"))!;

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        var list = InboxQueries.ListStatements(new ConversationScope(tenantId, null, null), new ConversationListFilter(ConversationStatusFilter.All, Search: needle), 1, 50);
        foreach (var (name, sql, args) in new[] { ("count", list.CountSql, list.CountArgs), ("page", list.PageSql, list.PageArgs) })
        {
            await using var cmd = new NpgsqlCommand("EXPLAIN " + sql, connection);
            foreach (var p in args.ParameterNames) cmd.Parameters.Add(new NpgsqlParameter(p, args.Get<object>(p)));
            var lines = new List<string>();
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) lines.Add(r.GetString(0));
            var plan = string.Join('\n', lines);
            await TestContext.Out.WriteLineAsync($"--- q, {name} ---\n{plan}\n");
            Assert.That(plan, Does.Contain("messages_text_trgm_idx"), $"the {name} finds the texts through the trigram index");
            Assert.That(plan, Does.Not.Contain("Seq Scan on messages"), name);
        }

        var found = await app.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/inbox/conversations?status=all&tenant_id={tenantId}&q={needle}");
        Assert.That(found.GetProperty("total").GetInt64(), Is.EqualTo(1), "the search still finds its one conversation");
    }

    [Test]
    public async Task ASearchThatRunsPastTheStatementTimeout_Is400NamingQ_NotA500()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["INBOX_QUERY_TIMEOUT_MS"] = "1" });
        var tenantId = await SeedSearchableInboxAsync(app, 2000);

        // One character: no trigram to look up, so every text is read, far beyond 1 ms.
        var response = await app.Admin.GetAsync($"/api/inbox/conversations?status=all&tenant_id={tenantId}&q=z");
        var body = await ApiAssert.ProblemAsync(response, 400, "q");
        Assert.That(body.ToString(), Does.Contain("narrow the search"));
    }
}
