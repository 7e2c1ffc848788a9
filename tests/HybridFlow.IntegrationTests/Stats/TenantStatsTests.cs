using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Operations;
using HybridFlow.IntegrationTests.Support;
using Npgsql;

namespace HybridFlow.IntegrationTests.Stats;

/// <summary>
/// GET /api/tenants/{id}/stats over HTTP after real conversations (webhooks in, the fake model reporting usage, sends
/// out, a takeover, resumes), the tokens stored per reply job, the history budget and the metrics.
/// </summary>
public sealed class TenantStatsTests
{
    private const int PromptTokens = 100;
    private const int CompletionTokens = 20;
    private const int CachedTokens = 60;

    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.Responder = _ => Completion("Claro! Temos pão de queijo.");
    }

    /// <summary>An OpenAI chat completion with usage, cached tokens included, as the API reports it.</summary>
    private static FakeResponse Completion(string text, int prompt = PromptTokens, int completion = CompletionTokens, int cached = CachedTokens) =>
        new(200, JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion",
            created = 1_700_000_000,
            model = "gpt-test",
            choices = new[]
            {
                new { index = 0, message = new { role = "assistant", content = text, refusal = (string?)null }, logprobs = (object?)null, finish_reason = "stop" },
            },
            usage = new
            {
                prompt_tokens = prompt,
                completion_tokens = completion,
                total_tokens = prompt + completion,
                prompt_tokens_details = new { cached_tokens = cached },
            },
        }));

    private async Task<string> CustomerSaysAndIsAnsweredAsync(string instance, string chat, string text)
    {
        var replies = (await _app.TimelineAsync(instance, chat)).Count(a => a == "ai_replied");
        var action = await _app.DeliverAsync(instance, Payloads.CustomerText(chat, text));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Count(a => a == "ai_replied") > replies, "the reply sent");
        return action;
    }

    private async Task<JsonElement> GetStatsAsync(HttpClient client, long tenantId, string query = "")
    {
        var response = await client.GetAsync($"/api/tenants/{tenantId}/stats{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private static async Task<PrometheusText> ScrapeAsync(HttpClient client) =>
        PrometheusText.Parse(await (await client.GetAsync("/metrics")).Content.ReadAsStringAsync());

    [Test]
    public async Task Stats_AfterConversationsTakeoversAndResumes_CountEveryField()
    {
        var metricsBefore = await ScrapeAsync(_app.Client);
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();

        // A: the bot alone, two rounds.
        var chatA = Payloads.NewChatId();
        Assert.That(await CustomerSaysAndIsAnsweredAsync(instance, chatA, "Oi, vocês abrem amanhã?"), Is.EqualTo("ai_queued"));
        await CustomerSaysAndIsAnsweredAsync(instance, chatA, "E tem pão de queijo?");

        // B: answered, then the owner takes over (writing twice is one takeover), then resumes by hand.
        var chatB = Payloads.NewChatId();
        await CustomerSaysAndIsAnsweredAsync(instance, chatB, "Quero encomendar um bolo");
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chatB, "Oi! Aqui é a Ana, qual sabor?")), Is.EqualTo("paused"));
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chatB, "Temos chocolate e morango")), Is.EqualTo("paused"));
        var resume = await _app.Admin.PostAsync($"/sessions/{instance}/{chatB}/resume", null);
        Assert.That((int)resume.StatusCode, Is.EqualTo(200), await resume.Content.ReadAsStringAsync());

        // C: answered, a handoff request (written as the handoff feature writes it), the owner answers it (a takeover),
        // and the quiet period runs out (an auto-resume).
        var chatC = Payloads.NewChatId();
        await CustomerSaysAndIsAnsweredAsync(instance, chatC, "Posso falar com alguém?");
        var sessionC = await _app.ScalarAsync<long>("SELECT s.id FROM sessions s JOIN instances i ON i.id = s.instance_id WHERE i.instance_name = $1 AND s.chat_id = $2", instance, chatC);
        await _app.ScalarAsync<long>(
            "INSERT INTO session_events (tenant_id, session_id, action, detail, created_at) VALUES ($1, $2, 'handoff_requested', 'keyword: alguém', now()) RETURNING id",
            tenantId, sessionC);
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chatC, "Oi, sou eu, pode falar")), Is.EqualTo("paused"));
        _app.Clock.Advance(TimeSpan.FromHours(3));
        using (var cron = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume"))
        {
            cron.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
            Assert.That((int)(await _app.Client.SendAsync(cron)).StatusCode, Is.EqualTo(200));
        }
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chatC)).Contains("auto_resumed"), "chat C auto-resumed");

        var stats = await GetStatsAsync(_app.Admin, tenantId);
        Assert.That(stats.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
        var from = stats.GetProperty("from").GetDateTimeOffset();
        var to = stats.GetProperty("to").GetDateTimeOffset();
        Assert.That(to - from, Is.EqualTo(TimeSpan.FromDays(7)));
        Assert.That(to, Is.EqualTo(_app.Clock.GetUtcNow()).Within(TimeSpan.FromMinutes(1)));

        Assert.That(stats.GetProperty("conversations").GetInt64(), Is.EqualTo(3));
        Assert.That(stats.GetProperty("customer_messages").GetInt64(), Is.EqualTo(4));
        Assert.That(stats.GetProperty("bot_replies").GetInt64(), Is.EqualTo(4));
        Assert.That(stats.GetProperty("bot_messages").GetInt64(), Is.EqualTo(4));
        Assert.That(stats.GetProperty("human_takeovers").GetInt64(), Is.EqualTo(2), "B once (its second owner message is not a new takeover), C once");
        Assert.That(stats.GetProperty("handoff_requests").GetInt64(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("auto_resumes").GetInt64(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("manual_resumes").GetInt64(), Is.EqualTo(1));
        Assert.That(stats.GetProperty("handled_by_bot").GetInt64(), Is.EqualTo(1), "only A had no person in it");
        Assert.That(stats.GetProperty("handled_by_bot_share").GetDouble(), Is.EqualTo(0.3333));

        var firstReply = stats.GetProperty("first_reply");
        Assert.That(firstReply.GetProperty("conversations").GetInt64(), Is.EqualTo(3));
        // Real latencies here (the exact percentiles are checked on seeded times below); customer times have whole seconds.
        var median = firstReply.GetProperty("median_seconds").GetDouble();
        var p90 = firstReply.GetProperty("p90_seconds").GetDouble();
        Assert.That(median, Is.InRange(0, 60));
        Assert.That(p90, Is.InRange(median, 60));

        var tokens = stats.GetProperty("tokens");
        Assert.That(tokens.GetProperty("calls").GetInt64(), Is.EqualTo(4));
        Assert.That(tokens.GetProperty("input").GetInt64(), Is.EqualTo(4 * PromptTokens));
        Assert.That(tokens.GetProperty("output").GetInt64(), Is.EqualTo(4 * CompletionTokens));
        Assert.That(tokens.GetProperty("cached").GetInt64(), Is.EqualTo(4 * CachedTokens));
        Assert.That(tokens.GetProperty("cached_share").GetDouble(), Is.EqualTo(0.6));
        var byModel = tokens.GetProperty("by_model").EnumerateArray().Single();
        Assert.That(byModel.GetProperty("provider").GetString(), Is.EqualTo("openai"));
        Assert.That(byModel.GetProperty("model").GetString(), Is.EqualTo("gpt-test"));
        Assert.That(byModel.GetProperty("calls").GetInt64(), Is.EqualTo(4));
        Assert.That(byModel.GetProperty("input").GetInt64(), Is.EqualTo(4 * PromptTokens));
        Assert.That(byModel.GetProperty("output").GetInt64(), Is.EqualTo(4 * CompletionTokens));
        Assert.That(byModel.GetProperty("cached").GetInt64(), Is.EqualTo(4 * CachedTokens));
        Assert.That(byModel.GetProperty("cached_share").GetDouble(), Is.EqualTo(0.6));

        // The same events as metrics, without per-chat labels (the handoff was written straight into the timeline, so it has no metric here).
        var metrics = await ScrapeAsync(_app.Client);
        double Delta(string name, params (string, string)[] labels) => metrics.ValueOrZero(name, labels) - metricsBefore.ValueOrZero(name, labels);
        Assert.That(Delta("hybridflow_conversation_events_total", ("event", "human_takeover")), Is.EqualTo(2));
        Assert.That(Delta("hybridflow_conversation_events_total", ("event", "resumed")), Is.EqualTo(1));
        Assert.That(Delta("hybridflow_conversation_events_total", ("event", "auto_resumed")), Is.EqualTo(1));
        Assert.That(metrics.Value("hybridflow_conversation_events_total", ("event", "handoff_requested")), Is.Not.Null, "every event's series starts at 0");
        Assert.That(Delta("hybridflow_llm_tokens_total", ("provider", "openai"), ("model", "gpt-test"), ("kind", "input")), Is.EqualTo(4 * PromptTokens));
        Assert.That(Delta("hybridflow_llm_tokens_total", ("provider", "openai"), ("model", "gpt-test"), ("kind", "output")), Is.EqualTo(4 * CompletionTokens));
        Assert.That(Delta("hybridflow_llm_tokens_total", ("provider", "openai"), ("model", "gpt-test"), ("kind", "cached")), Is.EqualTo(4 * CachedTokens));
        Assert.That(metrics.Types["hybridflow_llm_tokens_total"], Is.EqualTo("counter"));
        Assert.That(metrics.Samples.Where(s => s.Name.StartsWith("hybridflow_", StringComparison.Ordinal)).SelectMany(s => s.Labels.Keys).Distinct(),
            Has.None.AnyOf("chat_id", "session_id", "tenant_id"));
    }

    [Test]
    public async Task ReplyJob_WhenAnAnsweredAttemptFailsLater_KeepsTheTokensOfEveryAnsweredAttempt()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_model = "gpt-tenant-choice" });
        var calls = 0;
        _app.Llm.Responder = _ => Interlocked.Increment(ref calls) switch
        {
            1 => Completion("Abrimos às 7h!", prompt: 50, completion: 5, cached: 0), // answered, then the send fails: retried
            2 => new FakeResponse(500, FakeLlmServer.OpenAiErrorJson(500)), // threw: its cost is unknown
            _ => Completion("Abrimos às 7h.", prompt: 70, completion: 9, cached: 40),
        };
        // A send failure that proves nothing was sent, so the attempt is retried (with a new model call).
        _app.Evolution.FailNext((400, """{"status":400,"error":"Bad Request","response":{"message":["Error: Connection Closed"]}}"""));
        var chat = Payloads.NewChatId();
        await CustomerSaysAndIsAnsweredAsync(instance, chat, "Que horas abrem?");

        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT j.status, j.llm_provider, j.llm_model, j.llm_calls, j.input_tokens, j.output_tokens, j.cached_input_tokens
            FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1
            """, connection);
        cmd.Parameters.AddWithValue(chat);
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            Assert.That(await r.ReadAsync(), Is.True);
            Assert.That(r.GetString(0), Is.EqualTo("sent"));
            Assert.That((r.GetString(1), r.GetString(2)), Is.EqualTo(("openai", "gpt-tenant-choice")));
            Assert.That((r.GetInt32(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6)), Is.EqualTo((2, 120L, 14L, 40L)));
            Assert.That(await r.ReadAsync(), Is.False, "one job");
        }

        var tokens = (await GetStatsAsync(_app.Admin, tenantId)).GetProperty("tokens");
        Assert.That((tokens.GetProperty("calls").GetInt64(), tokens.GetProperty("input").GetInt64(), tokens.GetProperty("cached").GetInt64()),
            Is.EqualTo((2L, 120L, 40L)));
        Assert.That(tokens.GetProperty("by_model")[0].GetProperty("model").GetString(), Is.EqualTo("gpt-tenant-choice"));
    }

    [Test]
    public async Task Metrics_WhenTheTenantNamesAModelNotConfigured_CountItsTokensAsOther()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_model = "gpt-someone-elses" });
        var before = await ScrapeAsync(_app.Client);
        await CustomerSaysAndIsAnsweredAsync(instance, Payloads.NewChatId(), "Oi");
        var after = await ScrapeAsync(_app.Client);
        (string, string)[] other = [("provider", "openai"), ("model", "other"), ("kind", "input")];
        Assert.That(after.ValueOrZero("hybridflow_llm_tokens_total", other) - before.ValueOrZero("hybridflow_llm_tokens_total", other), Is.EqualTo(PromptTokens));
        Assert.That(after.Samples.Any(s => s.Labels.Values.Contains("gpt-someone-elses")), Is.False);
    }

    [Test]
    public async Task Prompt_WhenHistoryExceedsTheTokenBudget_DropsTheOldestTurns()
    {
        // The default budget is 8,000 tokens, estimated as characters / 4: three 12,000-character messages do not fit.
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Llm.Responder = _ => Completion("Ok.");
        var chat = Payloads.NewChatId();
        var first = "1" + new string('a', 11_999);
        var second = "2" + new string('b', 11_999);
        var third = "3" + new string('c', 11_999);
        await CustomerSaysAndIsAnsweredAsync(instance, chat, first);
        await CustomerSaysAndIsAnsweredAsync(instance, chat, second);
        _app.Llm.Reset();
        _app.Llm.Responder = _ => Completion("Ok.");
        await CustomerSaysAndIsAnsweredAsync(instance, chat, third);

        var messages = _app.Llm.Requests.Single().Json.GetProperty("messages").EnumerateArray()
            .Select(m => (Role: m.GetProperty("role").GetString(), Text: Text(m))).ToList();
        // System first, then oldest to newest: the stable prefix a provider can cache. The first message is gone; the short
        // reply to it still fitted.
        Assert.That(messages, Is.EqualTo(new List<(string?, string)>
        {
            ("system", "Você é o assistente da Padaria Demo."),
            ("assistant", "Ok."),
            ("user", second),
            ("assistant", "Ok."),
            ("user", third),
        }));
    }

    [Test]
    public async Task Prompt_WhenTheTenantPatchesASmallBudget_KeepsOnlyWhatFitsAndCutsALongNewestMessage()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var patch = await _app.Admin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new { history_token_budget = 100 });
        Assert.That((int)patch.StatusCode, Is.EqualTo(200), await patch.Content.ReadAsStringAsync());
        Assert.That((await patch.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("history_token_budget").GetInt32(), Is.EqualTo(100));
        _app.Llm.Responder = _ => Completion("Ok.");
        var chat = Payloads.NewChatId();
        var first = "1" + new string('a', 199); // 50 tokens each
        var second = "2" + new string('b', 199);
        await CustomerSaysAndIsAnsweredAsync(instance, chat, first);
        _app.Llm.Reset();
        _app.Llm.Responder = _ => Completion("Ok.");
        await CustomerSaysAndIsAnsweredAsync(instance, chat, second);
        Assert.That(Turns(_app.Llm.Requests.Single()), Is.EqualTo(new List<(string?, string)>
        {
            ("system", "Você é o assistente da Padaria Demo."),
            ("assistant", "Ok."),
            ("user", second),
        }));

        // A newest message over the budget on its own is all that is sent, cut to the budget (100 tokens: 400 characters).
        _app.Llm.Reset();
        _app.Llm.Responder = _ => Completion("Ok.");
        var long_ = "3" + new string('c', 999);
        await CustomerSaysAndIsAnsweredAsync(instance, chat, long_);
        Assert.That(Turns(_app.Llm.Requests.Single()), Is.EqualTo(new List<(string?, string)>
        {
            ("system", "Você é o assistente da Padaria Demo."),
            ("user", long_[..400]),
        }));
    }

    private static List<(string? Role, string Text)> Turns(RecordedRequest request) =>
        request.Json.GetProperty("messages").EnumerateArray().Select(m => (m.GetProperty("role").GetString(), Text(m))).ToList();

    private static string Text(JsonElement message) =>
        message.GetProperty("content") is { ValueKind: JsonValueKind.String } s
            ? s.GetString()!
            : string.Concat(message.GetProperty("content").EnumerateArray().Select(p => p.GetProperty("text").GetString()));

    [Test]
    public async Task Stats_OnSeededConversations_ComputeExactFirstReplyPercentilesInThePeriod()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var start = new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);
        await using var connection = new NpgsqlConnection(_app.ConnectionString);
        await connection.OpenAsync();
        var instanceId = await _app.ScalarAsync<long>("SELECT id FROM instances WHERE instance_name = $1", instance);

        async Task<long> SessionAsync()
        {
            await using var cmd = new NpgsqlCommand(
                "INSERT INTO sessions (tenant_id, instance_id, chat_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) RETURNING id", connection);
            cmd.Parameters.AddWithValue(tenantId);
            cmd.Parameters.AddWithValue(instanceId);
            cmd.Parameters.AddWithValue(Payloads.NewChatId());
            cmd.Parameters.AddWithValue(start.UtcDateTime);
            return (long)(await cmd.ExecuteScalarAsync())!;
        }
        async Task MessageAsync(long sessionId, string direction, DateTimeOffset at)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, sent_at, created_at)
                VALUES ($1, $2, $3, $4, $5, 'conversation', 'x', $6, $6)
                """, connection);
            cmd.Parameters.AddWithValue(tenantId);
            cmd.Parameters.AddWithValue(instanceId);
            cmd.Parameters.AddWithValue(sessionId);
            cmd.Parameters.AddWithValue(Payloads.NewMessageId());
            cmd.Parameters.AddWithValue(direction);
            cmd.Parameters.AddWithValue(at.UtcDateTime);
            await cmd.ExecuteNonQueryAsync();
        }

        // Ten conversations answered after 1..10 s; each one's later messages do not change its first reply.
        for (var i = 1; i <= 10; i++)
        {
            var session = await SessionAsync();
            var asked = start.AddHours(i);
            await MessageAsync(session, "bot", asked.AddSeconds(-30)); // before the customer's first message: not a reply to it
            await MessageAsync(session, "inbound", asked);
            await MessageAsync(session, "inbound", asked.AddSeconds(i / 2.0));
            await MessageAsync(session, "bot", asked.AddSeconds(i));
            await MessageAsync(session, "bot", asked.AddSeconds(i + 5));
        }
        // Unanswered, inside the period.
        await MessageAsync(await SessionAsync(), "inbound", start.AddHours(11));
        // Outside the period: not counted at all.
        var outside = await SessionAsync();
        await MessageAsync(outside, "inbound", start.AddDays(-1));
        await MessageAsync(outside, "bot", start.AddDays(-1).AddSeconds(1));

        var stats = await GetStatsAsync(_app.Admin, tenantId, "?from=2026-01-10T00:00:00Z&to=2026-01-11T00:00:00Z");
        Assert.That(stats.GetProperty("from").GetDateTimeOffset(), Is.EqualTo(start));
        Assert.That(stats.GetProperty("to").GetDateTimeOffset(), Is.EqualTo(start.AddDays(1)));
        Assert.That(stats.GetProperty("conversations").GetInt64(), Is.EqualTo(11));
        Assert.That(stats.GetProperty("customer_messages").GetInt64(), Is.EqualTo(21));
        Assert.That(stats.GetProperty("bot_messages").GetInt64(), Is.EqualTo(30));
        Assert.That(stats.GetProperty("handled_by_bot").GetInt64(), Is.EqualTo(10));
        Assert.That(stats.GetProperty("handled_by_bot_share").GetDouble(), Is.EqualTo(0.9091));
        var firstReply = stats.GetProperty("first_reply");
        Assert.That(firstReply.GetProperty("conversations").GetInt64(), Is.EqualTo(10));
        Assert.That(firstReply.GetProperty("median_seconds").GetDouble(), Is.EqualTo(5.5));
        Assert.That(firstReply.GetProperty("p90_seconds").GetDouble(), Is.EqualTo(9.1));
        Assert.That(stats.GetProperty("tokens").GetProperty("by_model").GetArrayLength(), Is.EqualTo(0));
        Assert.That(stats.GetProperty("tokens").GetProperty("cached_share").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Stats_ForEachRole_AdminAndTenantAdminSeeItAgentIsForbiddenOtherTenantIsNotFound()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var (otherTenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var agent = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "agent"));
        var otherAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(otherTenantId, "tenant_admin"));

        Assert.That((await GetStatsAsync(tenantAdmin, tenantId)).GetProperty("conversations").GetInt64(), Is.EqualTo(0));
        Assert.That((await GetStatsAsync(_app.Admin, tenantId)).GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
        await AssertStatusAsync(agent, $"/api/tenants/{tenantId}/stats", 403);
        await AssertStatusAsync(otherAdmin, $"/api/tenants/{tenantId}/stats", 404);
        await AssertStatusAsync(agent, $"/api/tenants/{otherTenantId}/stats", 404);
        await AssertStatusAsync(_app.Admin, "/api/tenants/987654321/stats", 404);
        await AssertStatusAsync(_app.Client, $"/api/tenants/{tenantId}/stats", 401);
    }

    [TestCase("?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [TestCase("?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "to")]
    [TestCase("?from=2024-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from")]
    [TestCase("?from=yesterday", "from")]
    [TestCase("?to=2026-13-45T99:00:00Z", "to")]
    public async Task Stats_WhenThePeriodIsBad_Answers400NamingTheField(string query, string field)
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var response = await _app.Admin.GetAsync($"/api/tenants/{tenantId}/stats{query}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), body);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var errors = JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.That(errors.EnumerateObject().Select(p => p.Name), Has.Some.EqualTo(field), body);
    }

    [Test]
    public async Task Swagger_DocumentsTheStatsEndpointWithAnExampleAnswer()
    {
        var doc = JsonDocument.Parse(await _app.Client.GetStringAsync("/swagger/v1/swagger.json")).RootElement;
        var get = doc.GetProperty("paths").GetProperty("/api/tenants/{id}/stats").GetProperty("get");
        Assert.That(get.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()), Is.SupersetOf(new[] { "id", "from", "to" }));
        Assert.That(get.GetProperty("responses").EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "200", "400", "401", "403", "404" }));
        var example = doc.GetProperty("components").GetProperty("schemas").GetProperty("TenantStatsDto").GetProperty("example");
        Assert.That(example.GetProperty("tokens").GetProperty("cached_share").GetDouble(), Is.GreaterThan(0));
        Assert.That(example.GetProperty("first_reply").GetProperty("median_seconds").GetDouble(), Is.GreaterThan(0));
    }

    private static async Task AssertStatusAsync(HttpClient client, string path, int status)
    {
        var response = await client.GetAsync(path);
        Assert.That((int)response.StatusCode, Is.EqualTo(status), $"{path}: {await response.Content.ReadAsStringAsync()}");
    }
}
