using HybridFlow.Application.Inbox;
using HybridFlow.Infrastructure.Persistence;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>
/// The conversation list's plans on 5,000 sessions (10 tenants, 40,000 messages): the default list walks sessions_inbox_idx
/// and stops at the page; the other plans are printed for the report (q reads each candidate session's messages).
/// </summary>
[NonParallelizable]
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
            foreach (var a in list.PageArgs) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
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
}
