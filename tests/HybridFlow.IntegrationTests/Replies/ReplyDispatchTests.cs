using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Replies;

/// <summary>
/// The reply dispatcher with a slow fake model over real HTTP: many jobs in flight, fair between tenants, one at a time
/// per chat, provider rate limits honoured without using attempts, and quick recovery after a crash.
/// </summary>
public sealed class ReplyDispatchTests
{
    [Test]
    public async Task Burst_WithASlowModel_GetsOneReplyPerChat_WithManyModelCallsAtOnce()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        app.Llm.Delay = TimeSpan.FromSeconds(1.5);

        var chats = Enumerable.Range(0, 40).Select(_ => Payloads.NewChatId()).ToList();
        var actions = await Task.WhenAll(chats.Select(chat => app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, tem pão hoje?"))));
        Assert.That(actions, Is.All.EqualTo("ai_queued"));

        await HybridFlowApp.EventuallyAsync(() => chats.All(c => app.Evolution.SendsTo(c).Count >= 1), "every chat answered", TimeSpan.FromSeconds(60));
        var marker = await Marker.AnsweredAsync(app, instance);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(chats.Select(c => app.Evolution.SendsTo(c).Count), Is.All.EqualTo(1), "one reply per chat");
            Assert.That(marker.Without(app.Llm.Requests), Has.Count.EqualTo(40), "one model call per chat");
            Assert.That(app.Llm.PeakConcurrency, Is.GreaterThan(2), "more model calls at once than the two old worker loops made");
        }
    }

    [Test]
    public async Task TenantBurst_DoesNotStarveAnotherTenant_WhoIsAnsweredBeforeTheBacklogIsDone()
    {
        const int tenantLimit = 4;
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_TENANT_CONCURRENCY"] = tenantLimit.ToString() });
        var (_, busy) = await app.CreateTenantWithInstanceAsync(new { name = "Loja Cheia" });
        var (_, quiet) = await app.CreateTenantWithInstanceAsync(new { name = "Loja Calma" });
        app.Llm.Delay = TimeSpan.FromSeconds(1);

        var burst = Enumerable.Range(0, 20).Select(_ => Payloads.NewChatId()).ToList();
        await Task.WhenAll(burst.Select(chat => app.DeliverAsync(busy, Payloads.CustomerText(chat, "Promoção ainda vale?"))));
        var other = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(quiet, Payloads.CustomerText(other, "Vocês entregam?")), Is.EqualTo("ai_queued"));

        await HybridFlowApp.EventuallyAsync(() => burst.Append(other).All(c => app.Evolution.SendsTo(c).Count == 1), "everyone answered",
            TimeSpan.FromSeconds(60));
        var order = app.Evolution.SuccessfulSends.Select(r => r.Json.GetProperty("number").GetString()).ToList();
        var position = order.FindIndex(number => number == other || number == other.Split('@')[0]);
        TestContext.Out.WriteLine($"the other tenant's reply was send {position + 1} of {order.Count}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(position, Is.GreaterThanOrEqualTo(0), "the other tenant's reply is among the sends");
            Assert.That(position, Is.LessThan(2 * tenantLimit), "answered within the burst's first rounds, not after its backlog");
            Assert.That(app.Llm.PeakConcurrency, Is.LessThanOrEqualTo(tenantLimit + 1), "the busy tenant never had more than its share in flight");
        }
    }

    [Test]
    public async Task MessageWhileTheReplyIsBeingWritten_WaitsForIt_AndTheNextModelCallSeesTheFirstAnswer()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        using var firstCallReached = new SemaphoreSlim(0);
        using var releaseFirstCall = new SemaphoreSlim(0);
        var calls = 0;
        app.Llm.Responder = _ =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call == 1)
            {
                firstCallReached.Release();
                releaseFirstCall.Wait(TimeSpan.FromSeconds(30));
            }
            return new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", call == 1 ? "Abrimos às 7h." : "Fechamos às 19h."));
        };

        var chat = Payloads.NewChatId();
        await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Que horas abrem?"));
        Assert.That(await firstCallReached.WaitAsync(TimeSpan.FromSeconds(20)), Is.True, "the first reply is being written");
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "E que horas fecham?")), Is.EqualTo("ai_queued"));
        // Another chat's message, due after the second job, is answered while the first call still runs.
        var marker = await Marker.AnsweredAsync(app, instance);
        Assert.That(marker.Without(app.Llm.Requests), Has.Count.EqualTo(1), "the chat's second job waits while its first one runs");

        releaseFirstCall.Release();
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 2, "both replies sent", TimeSpan.FromSeconds(30));
        var second = marker.Without(app.Llm.Requests)[1].Json.GetProperty("messages").EnumerateArray()
            .Select(m => (Role: m.GetProperty("role").GetString(), Text: Content(m))).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(marker.Without(app.Llm.Requests), Has.Count.EqualTo(2));
            Assert.That(second, Does.Contain(("assistant", (string?)"Abrimos às 7h.")), "the second prompt has the bot's first answer");
            Assert.That(second, Does.Contain(("user", (string?)"E que horas fecham?")));
            Assert.That(app.Evolution.SendsTo(chat).Select(s => s.Json.GetProperty("text").GetString()),
                Is.EqualTo(new[] { "Abrimos às 7h.", "Fechamos às 19h." }));
        }
    }

    [Test]
    public async Task ModelRateLimited_WithRetryAfter_IsHonoured_WithoutUsingUpAttempts()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_MAX_ATTEMPTS"] = "2" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var calls = 0;
        app.Llm.Responder = _ => Interlocked.Increment(ref calls) <= 3
            ? new FakeResponse(429, FakeLlmServer.OpenAiErrorJson(429), new Dictionary<string, string> { ["Retry-After"] = "1" })
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Agora sim: abrimos às 7h."));

        var chat = Payloads.NewChatId();
        await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Que horas abrem?"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the reply sent after the rate limits", TimeSpan.FromSeconds(30));
        // The fake records the send before it answers; the job is 'sent' once the answer is back.
        await HybridFlowApp.EventuallyAsync(async () => await app.ScalarAsync<string>(
            "SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat) == "sent", "the job recorded as sent");

        var requests = app.Llm.Requests;
        var gaps = requests.Zip(requests.Skip(1), (a, b) => b.ReceivedAt - a.ReceivedAt).ToList();
        var timeline = await app.TimelineAsync(instance, chat);
        var attempts = await app.ScalarAsync<int>(
            "SELECT j.attempts FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 AND j.status = 'sent'", chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(requests, Has.Count.EqualTo(4), "three 429s, then the answer");
            Assert.That(gaps, Is.All.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(980)), "each call waited out the Retry-After of 1 s");
            Assert.That(attempts, Is.EqualTo(1), "the rate-limited calls used no attempt (REPLY_MAX_ATTEMPTS is 2)");
            Assert.That(timeline.Count(a => a == "ai_rate_limited"), Is.EqualTo(3));
            Assert.That(timeline, Does.Not.Contain("ai_retry").And.Not.Contain("ai_failed"));
            Assert.That(timeline, Does.Contain("ai_replied"));
        }
    }

    [Test]
    public async Task LlmMaxConcurrency_CapsTheModelCallsInFlight()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LLM_MAX_CONCURRENCY"] = "2" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        app.Llm.Delay = TimeSpan.FromMilliseconds(500);

        var chats = Enumerable.Range(0, 8).Select(_ => Payloads.NewChatId()).ToList();
        await Task.WhenAll(chats.Select(chat => app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"))));
        await HybridFlowApp.EventuallyAsync(() => chats.All(c => app.Evolution.SendsTo(c).Count == 1), "every chat answered", TimeSpan.FromSeconds(30));

        Assert.That(app.Llm.PeakConcurrency, Is.EqualTo(2), "two calls at a time, and the cap was reached");
    }

    [Test]
    [NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
    public async Task DeprecatedReplyWorkers_StillWorks_AndSaysSoInTheLog()
    {
        using var capture = new ConsoleCapture();
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_WORKERS"] = "3" });
            var (_, instance) = await app.CreateTenantWithInstanceAsync();
            var chat = Payloads.NewChatId();
            await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
            await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "answered");
            await capture.UntilAsync(l => l.Contains("REPLY_WORKERS is deprecated", StringComparison.Ordinal), "the deprecation warning");
        }
    }

    [Test]
    public async Task ModelCallLongerThanTheLease_IsNotTakenOver_BecauseTheHeartbeatRenewsIt()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_JOB_LEASE_SECONDS"] = "1" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        app.Llm.Delay = TimeSpan.FromSeconds(4);

        var chat = Payloads.NewChatId();
        await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the slow reply sent", TimeSpan.FromSeconds(30));
        // Each claim counts an attempt, so the attempts below, read once the job is sent (no claim follows), say whether
        // it was taken over; the marker is handled after anything else that was due.
        await HybridFlowApp.EventuallyAsync(async () => await app.ScalarAsync<string>(
            "SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat) == "sent", "the job recorded as sent");
        app.Llm.Delay = TimeSpan.Zero;
        var marker = await Marker.AnsweredAsync(app, instance);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(marker.Without(app.Llm.Requests), Has.Count.EqualTo(1), "nobody claimed the job again while its lease was being renewed");
            Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
            Assert.That(await app.ScalarAsync<int>(
                "SELECT j.attempts FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Shutdown_WhileTheModelIsWriting_LetsTheJobFinish()
    {
        var app = await HybridFlowApp.StartAsync();
        var chat = Payloads.NewChatId();
        try
        {
            var (_, instance) = await app.CreateTenantWithInstanceAsync();
            app.Llm.Delay = TimeSpan.FromSeconds(1.5);
            await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
            await HybridFlowApp.EventuallyAsync(() => app.Llm.Requests.Count == 1, "the model is writing");
        }
        finally
        {
            await app.DisposeAsync();
        }

        Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1), "the reply went out during the shutdown grace period");
    }

    [Test]
    public async Task ApiKilledWhileTheModelIsWriting_TheRestartedProcessSendsTheReplyOnce_WithinTheLease()
    {
        const int leaseSeconds = 5;
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
            ["REPLY_JOB_LEASE_SECONDS"] = leaseSeconds.ToString(),
            ["LOG_LEVEL"] = "warning",
        };

        var chat = Payloads.NewChatId();
        string instance;
        await using (var first = await ApiProcess.StartAsync(environment))
        {
            using var http = AdminClient(first);
            instance = await CreateTenantAndInstanceAsync(http, evolution);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"webhook/{instance}")
            {
                Content = JsonContent.Create(Payloads.CustomerText(chat, "Vocês abrem no domingo?").WithInstance(instance)),
            };
            request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            Assert.That((int)(await http.SendAsync(request)).StatusCode, Is.EqualTo(200), "acknowledged before the crash");

            Assert.That(await firstCallReached.WaitAsync(TimeSpan.FromSeconds(20)), Is.True, "the dispatcher was writing the reply");
            // Longer than a third of the lease: the heartbeat has renewed it at least once before the kill.
            await Task.Delay(TimeSpan.FromSeconds(leaseSeconds / 2.0));
            await first.KillAsync();
        }
        releaseFirstCall.Release();
        Assert.That(evolution.SendsTo(chat), Is.Empty, "the dead process sent nothing");

        var restarted = System.Diagnostics.Stopwatch.StartNew();
        await using var second = await ApiProcess.StartAsync(environment);
        await HybridFlowApp.EventuallyAsync(() => evolution.SendsTo(chat).Count == 1, "the reply sent by the restarted process, within the lease",
            TimeSpan.FromSeconds(leaseSeconds + 5));
        TestContext.Out.WriteLine($"reply sent {restarted.Elapsed.TotalSeconds:0.0} s after the restart began (lease {leaseSeconds} s)");
        // No fixed wait for a second claim: the job is sent (a sent job is never claimed again), and a marker chat's
        // reply, queued after it, has gone out through the restarted process.
        await HybridFlowApp.EventuallyAsync(async () => (await TimelineAsync(database, chat)).Contains("ai_replied"), "the reply recorded as sent");
        var markerChat = Payloads.NewChatId();
        using (var http = AdminClient(second))
        using (var marker = new HttpRequestMessage(HttpMethod.Post, $"webhook/{instance}")
        {
            Content = JsonContent.Create(Payloads.CustomerText(markerChat, "marcador").WithInstance(instance)),
        })
        {
            marker.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            Assert.That((int)(await http.SendAsync(marker)).StatusCode, Is.EqualTo(200));
        }
        await HybridFlowApp.EventuallyAsync(() => evolution.SendsTo(markerChat).Count == 1, "the marker answered by the restarted process", TimeSpan.FromSeconds(15));
        var timeline = await TimelineAsync(database, chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(evolution.SendsTo(chat), Has.Count.EqualTo(1), "sent once");
            Assert.That(evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo("Resposta depois do reinício"));
            Assert.That(timeline.Count(a => a == "ai_replied"), Is.EqualTo(1));
            Assert.That(timeline, Does.Not.Contain("ai_failed"));
        }
    }

    private static string? Content(JsonElement message) =>
        message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()
        : content.ValueKind == JsonValueKind.Array ? string.Concat(content.EnumerateArray().Select(p => p.TryGetProperty("text", out var t) ? t.GetString() : ""))
        : null;

    private static HttpClient AdminClient(ApiProcess api)
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
        var name = "crash-" + string.Concat(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var instance = await http.PostAsJsonAsync("api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = name, ["evo_server_url"] = evolution.BaseAddress.ToString(),
            ["evo_api_key"] = HybridFlowApp.EvolutionApiKey, ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        });
        Assert.That((int)instance.StatusCode, Is.EqualTo(201));
        return name;
    }

    private static async Task<List<string>> TimelineAsync(string database, string chat)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT e.action FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 ORDER BY e.id", connection);
        cmd.Parameters.AddWithValue(chat);
        var actions = new List<string>();
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) actions.Add(reader.GetString(0));
        return actions;
    }
}
