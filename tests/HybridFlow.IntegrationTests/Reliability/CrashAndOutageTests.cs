using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Infrastructure;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Reliability;

/// <summary>A killed process and a restarted database: nothing acknowledged is lost, nothing is sent twice.</summary>
[NonParallelizable]
public sealed class CrashAndOutageTests
{
    [Test]
    public async Task ApiKilledWhileTheModelIsWriting_AfterRestartTheReplyGoesOutExactlyOnce()
    {
        var database = await TestEnvironment.Postgres.CreateDatabaseAsync();
        await using var evolution = await FakeEvolutionServer.StartAsync();
        await using var llm = await FakeLlmServer.StartAsync();
        using var firstCallReached = new SemaphoreSlim(0);
        using var releaseFirstCall = new SemaphoreSlim(0);
        var calls = 0;
        llm.Responder = _ =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                firstCallReached.Release();
                releaseFirstCall.Wait(TimeSpan.FromSeconds(30));
            }
            return new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Resposta depois do reinício"));
        };
        var environment = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database,
            ["ADMIN_API_KEY"] = HybridFlowApp.AdminKey,
            ["SECRETS_ENCRYPTION_KEY"] = HybridFlowApp.EncryptionKey,
            ["LLM_PROVIDER"] = "openai",
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_BASE_URL"] = llm.OpenAiBaseUrl.ToString(),
            ["OPENAI_MODEL"] = "gpt-test",
            ["LLM_TIMEOUT"] = "30",
            ["REPLY_POLL_MS"] = "100",
            ["REPLY_JOB_LEASE_SECONDS"] = "3",
            ["LOG_LEVEL"] = "warning",
        };

        var chat = Payloads.NewChatId();
        string instance;
        await using (var first = await ApiProcess.StartAsync(environment))
        {
            using var http = Client(first);
            instance = await CreateTenantAndInstanceAsync(http, evolution);
            var payload = Payloads.CustomerText(chat, "Vocês abrem no domingo?").WithInstance(instance);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"webhook/{instance}") { Content = JsonContent.Create(payload) };
            request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            var answer = await http.SendAsync(request);
            Assert.That((int)answer.StatusCode, Is.EqualTo(200), "acknowledged before the crash");

            Assert.That(await firstCallReached.WaitAsync(TimeSpan.FromSeconds(20)), Is.True, "the worker was writing the reply");
            await first.KillAsync();
        }
        releaseFirstCall.Release();
        Assert.That(evolution.SendsTo(chat), Is.Empty, "the dead process sent nothing");

        await using var second = await ApiProcess.StartAsync(environment);
        await HybridFlowApp.EventuallyAsync(() => evolution.SendsTo(chat).Count == 1, "the reply sent by the restarted process", TimeSpan.FromSeconds(30));
        await Task.Delay(TimeSpan.FromSeconds(4)); // longer than the lease: a second claim would have happened by now
        Assert.That(evolution.SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That(evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo("Resposta depois do reinício"));
    }

    [Test]
    public async Task PostgresRestartedUnderLoad_OutageIs503_NothingAcknowledgedIsLost_AndServiceRecovers()
    {
        await using var postgres = await PostgresServer.StartAsync();
        if (postgres.IsExternal) Assert.Ignore("Needs a server the tests start themselves (HYBRIDFLOW_TEST_DATABASE_URL is set).");
        TestContext.Out.WriteLine("restarted server: " + postgres.Description);
        var database = await postgres.CreateDatabaseAsync();
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_JOB_LEASE_SECONDS"] = "3" }, database);
        var (_, instance) = await app.CreateTenantWithInstanceAsync();

        var results = new List<(string Chat, int Status)>();
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var chat = Payloads.NewChatId();
                var response = await app.PostWebhookAsync(instance, Payloads.CustomerText(chat, "Oi, alguém aí?"));
                lock (results) results.Add((chat, (int)response.StatusCode));
                await Task.Delay(20);
            }
        })).ToList();

        await Task.Delay(1500);
        await postgres.StopServerAsync();
        await Task.Delay(3000);
        await postgres.StartServerAgainAsync();
        await Task.Delay(3000);
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        var statuses = results.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        TestContext.Out.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.That(statuses.Keys, Is.SubsetOf(new[] { 200, 503 }), "the outage is 503 (Evolution retries it), never another error");
        Assert.That(statuses.GetValueOrDefault(503), Is.GreaterThan(0), "the outage was seen");
        var lastResults = results.TakeLast(8).Select(r => r.Status).ToList();
        Assert.That(lastResults, Is.All.EqualTo(200), "recovered by itself");

        var acknowledged = results.Where(r => r.Status == 200).Select(r => r.Chat).ToList();
        foreach (var chat in acknowledged)
            Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'inbound'", chat),
                Is.EqualTo(1), $"acknowledged message of {chat} stored");
        await HybridFlowApp.EventuallyAsync(() => acknowledged.All(c => app.Evolution.SendsTo(c).Count >= 1), "every acknowledged message answered", TimeSpan.FromSeconds(60));
        await Task.Delay(1000);
        Assert.That(acknowledged.Select(c => app.Evolution.SendsTo(c).Count), Is.All.EqualTo(1), "and answered once");
    }

    private static HttpClient Client(ApiProcess api)
    {
        var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);
        return http;
    }

    private static async Task<string> CreateTenantAndInstanceAsync(HttpClient http, FakeEvolutionServer evolution)
    {
        var tenant = await http.PostAsJsonAsync("api/tenants", new Dictionary<string, object?> { ["name"] = "Crash Test" });
        Assert.That((int)tenant.StatusCode, Is.EqualTo(201));
        var tenantId = (await tenant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
        var name = "crash-" + Guid.NewGuid().ToString("N")[..8];
        var instance = await http.PostAsJsonAsync("api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = name, ["evo_server_url"] = evolution.BaseAddress.ToString(),
            ["evo_api_key"] = HybridFlowApp.EvolutionApiKey, ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        });
        Assert.That((int)instance.StatusCode, Is.EqualTo(201));
        return name;
    }
}
