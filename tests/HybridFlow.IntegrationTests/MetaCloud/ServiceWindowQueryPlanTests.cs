using HybridFlow.Application.Inbox;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// The inbox list of a Cloud API tenant reads each conversation's window (its customer's last message) through
/// messages_session_sent_idx, one short backward range per row of the page, and still walks sessions_inbox_idx.
/// </summary>
public sealed class ServiceWindowQueryPlanTests
{
    [Test]
    public async Task DefaultList_OfCloudApiConversations_ReadsTheWindowThroughTheMessagesIndex()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, _, _) = await app.CreateTenantWithMetaInstanceAsync();
        for (var i = 0; i < 4; i++) await app.CreateTenantWithMetaInstanceAsync();

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        async Task RunAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await cmd.ExecuteNonQueryAsync();
        }
        // 5 tenants x 600 chats, 8 messages each, the customer's and the bot's in turn (the last one the bot's).
        await RunAsync("""
            INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at, last_message_at, contact_name)
            SELECT i.tenant_id, i.id, (5511900000000 + g) || '@s.whatsapp.net', now(), now(), now() - make_interval(mins => g), 'Cliente ' || g
            FROM instances i, generate_series(1, 600) g;
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, 'wamid.' || s.id || '-' || n, CASE WHEN n % 2 = 1 THEN 'inbound' ELSE 'bot' END,
                   'conversation', 'texto ' || n, s.last_message_at - make_interval(secs => (8 - n) * 30), now()
            FROM sessions s, generate_series(1, 8) n;
            """);
        await RunAsync("VACUUM ANALYZE sessions");
        await RunAsync("VACUUM ANALYZE messages");

        var list = InboxQueries.ListStatements(new ConversationScope(tenantId, null, null), new ConversationListFilter(ConversationStatusFilter.Open), 1, 50);
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + list.PageSql, connection);
        foreach (var p in list.PageArgs.ParameterNames) explain.Parameters.Add(new NpgsqlParameter(p, list.PageArgs.Get<object>(p)));
        var lines = new List<string>();
        await using (var r = await explain.ExecuteReaderAsync())
            while (await r.ReadAsync()) lines.Add(r.GetString(0));
        var plan = string.Join('\n', lines);
        await TestContext.Out.WriteLineAsync(plan);

        Assert.That(plan, Does.Contain("sessions_inbox_idx"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on sessions"));
        Assert.That(plan, Does.Not.Contain("Seq Scan on messages"));
        Assert.That(lines.Count(l => l.Contains("messages_session_sent_idx", StringComparison.Ordinal)), Is.GreaterThanOrEqualTo(2),
            "the last message and the customer's last message, each a range of the index");

        var page = await app.Admin.GetJsonAsync($"/api/inbox/conversations?tenant_id={tenantId}&page_size=50");
        var first = page.GetProperty("items")[0];
        Assert.That(first.GetProperty("channel").GetString(), Is.EqualTo("meta_cloud"));
        Assert.That(first.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.True);
    }
}
