using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Stats;

/// <summary>
/// Run by hand (it is Explicit): seeds 200,000 messages and their timeline over many tenants, then prints the stats
/// queries' EXPLAIN (ANALYZE, BUFFERS) for one tenant's week. The report of issue 10 quotes what it showed.
/// </summary>
[Explicit("seeds 200k messages; run by hand to read the plans")]
public sealed class StatsQueryPlanTests
{
    [Test]
    public async Task StatsQueries_OnTwoHundredThousandMessages_UseTheTenantTimeIndexes()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync();
        for (var i = 0; i < 9; i++) await app.CreateTenantWithInstanceAsync();

        await using var connection = new NpgsqlConnection(app.ConnectionString);
        await connection.OpenAsync();
        async Task RunAsync(string sql)
        {
            await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
            await cmd.ExecuteNonQueryAsync();
        }

        // 10 tenants x 2,000 chats x 10 messages over 60 days: 200,000 messages, ~60,000 timeline events.
        await RunAsync("""
            INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at)
            SELECT i.tenant_id, i.id, 'c' || g || '@s.whatsapp.net', now(), now() FROM instances i, generate_series(1, 2000) g;
            INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
            SELECT s.tenant_id, s.instance_id, s.id, s.id || '-' || n,
                   CASE WHEN n % 2 = 1 THEN 'inbound' WHEN n = 10 AND s.id % 7 = 0 THEN 'human' ELSE 'bot' END,
                   'conversation', 'texto de exemplo',
                   now() - make_interval(days => (s.id % 60)::int) + make_interval(secs => n * 20), now()
            FROM sessions s, generate_series(1, 10) n;
            INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
            SELECT m.tenant_id, m.session_id, m.id, CASE WHEN m.direction = 'inbound' THEN 'ai_queued' WHEN m.direction = 'bot' THEN 'ai_replied' ELSE 'paused' END,
                   NULL, m.sent_at
            FROM messages m WHERE m.direction <> 'inbound' OR m.id % 3 = 0;
            INSERT INTO llm_usage (tenant_id, reply_job_id, purpose, provider, model, input_tokens, output_tokens, cached_input_tokens, created_at)
            SELECT m.tenant_id, NULL, 'reply', 'openai', 'gpt-4o-mini', 900, 60, 500, m.sent_at FROM messages m WHERE m.direction = 'bot';
            """);
        // As autovacuum leaves a settled table: statistics, and the visibility map that allows index-only scans.
        await RunAsync("VACUUM ANALYZE messages");
        await RunAsync("VACUUM ANALYZE session_events");
        await RunAsync("VACUUM ANALYZE llm_usage");

        foreach (var (name, sql) in new[] { ("counts", TenantStatsQueries.CountsSql), ("tokens", TenantStatsQueries.TokensSql) })
        {
            await using var cmd = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
            cmd.Parameters.AddWithValue(tenantId);
            cmd.Parameters.AddWithValue(DateTime.UtcNow.AddDays(-7));
            cmd.Parameters.AddWithValue(DateTime.UtcNow);
            var plan = new List<string>();
            await using (var reader = await cmd.ExecuteReaderAsync())
                while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
            await TestContext.Out.WriteLineAsync($"--- {name} ---\n{string.Join('\n', plan)}");
            Assert.That(plan, Is.Not.Empty);
        }
        Assert.That(instance, Is.Not.Empty);
    }
}
