using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>X-Correlation-Id: accepted or made, answered, and carried from the webhook through the outbox to the outbound calls and logs.</summary>
public sealed class CorrelationIdTests
{
    private HybridFlowApp _app = null!;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" });
        (_, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task WithoutHeader_AnIdIsMadeAndAnswered()
    {
        var first = await _app.Client.GetAsync("/health");
        var second = await _app.Client.GetAsync("/health");
        var id = first.Headers.GetValues("X-Correlation-Id").Single();
        Assert.That(id, Does.Match("^[0-9a-f]{32}$"));
        Assert.That(second.Headers.GetValues("X-Correlation-Id").Single(), Is.Not.EqualTo(id), "each request gets its own");
    }

    [Test]
    public async Task CallersId_IsAnswered_AndAnUnsafeOneIsReplaced()
    {
        var accepted = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
        accepted.Headers.Add("X-Correlation-Id", "frontend-7f3a.42_x");
        accepted.Headers.Add("X-Api-Key", HybridFlowApp.AdminKey);
        Assert.That((await _app.Client.SendAsync(accepted)).Headers.GetValues("X-Correlation-Id").Single(), Is.EqualTo("frontend-7f3a.42_x"));

        foreach (var unsafeId in new[] { "has spaces in it", "quote\"d", new string('a', 101) })
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.TryAddWithoutValidation("X-Correlation-Id", unsafeId);
            var answered = (await _app.Client.SendAsync(request)).Headers.GetValues("X-Correlation-Id").Single();
            Assert.That(answered, Does.Match("^[0-9a-f]{32}$"), unsafeId);
        }
    }

    [Test]
    [NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
    public async Task WebhooksId_IsStoredOnTheReplyJob_SentToTheModelAndEvolution_AndInTheWorkersLogs()
    {
        var correlationId = "evo-" + Guid.NewGuid().ToString("N")[..12];
        var chat = Payloads.NewChatId();
        var payload = Payloads.CustomerText(chat, "Vocês entregam?");
        payload["instance"] = _instance;

        var capture = new ConsoleCapture();
        using (capture)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{_instance}")
            {
                Content = new StringContent(payload.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            request.Headers.Add("X-Correlation-Id", correlationId);
            var response = await _app.Client.SendAsync(request);
            Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
            Assert.That(response.Headers.GetValues("X-Correlation-Id").Single(), Is.EqualTo(correlationId));

            await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply sent");
            await capture.UntilAsync(l => WorkerLines(l, correlationId).Any(), "the worker's log line");
        }

        Assert.That(await _app.ScalarAsync<string>(
            "SELECT j.correlation_id FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(correlationId));
        Assert.That(_app.Evolution.SendsTo(chat).Single().Header("X-Correlation-Id"), Is.EqualTo(correlationId), "Evolution sendText");
        var modelCall = _app.Llm.Requests.Single(r => r.Body.Contains("Vocês entregam?", StringComparison.Ordinal));
        Assert.That(modelCall.Header("X-Correlation-Id"), Is.EqualTo(correlationId), "the OpenAI-compatible model call");

        var log = capture.Text;
        var webhookLine = LogLines(log).Single(l => l.GetProperty("@m").GetString()!.StartsWith("Webhook ", StringComparison.Ordinal)
                                                    && Property(l, "correlation_id") == correlationId);
        Assert.That(Property(webhookLine, "action"), Is.EqualTo("ai_queued"));
        var workerLine = WorkerLines(log, correlationId).Single();
        Assert.That(workerLine.GetProperty("reply_job_id").GetInt64(),
            Is.EqualTo(await _app.ScalarAsync<long>("SELECT j.id FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat)));
    }

    [Test]
    public async Task DebouncedJob_KeepsTheIdOfTheWebhookThatQueuedIt()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["WORKERS_ENABLED"] = "false" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { debounce_seconds = 600 });
        var chat = Payloads.NewChatId();
        foreach (var (text, id) in new[] { ("Oi", "first-webhook"), ("Tudo bem?", "second-webhook") })
        {
            var payload = Payloads.CustomerText(chat, text);
            payload["instance"] = instance;
            var request = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{instance}")
            {
                Content = new StringContent(payload.ToJsonString(), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            request.Headers.Add("X-Correlation-Id", id);
            Assert.That((int)(await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(200));
        }
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs"), Is.EqualTo(1), "one job absorbed both messages");
        Assert.That(await app.ScalarAsync<string>("SELECT correlation_id FROM reply_jobs"), Is.EqualTo("first-webhook"));
    }

    private static IEnumerable<JsonElement> WorkerLines(string log, string correlationId) =>
        LogLines(log).Where(l => l.GetProperty("@m").GetString()!.StartsWith("Reply job ", StringComparison.Ordinal)
                                 && Property(l, "correlation_id") == correlationId);

    /// <summary>Serilog's compact JSON (rendered): "@t", "@m", "@l" (absent for information), then the properties.</summary>
    private static IEnumerable<JsonElement> LogLines(string log) =>
        log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(l => l.TryGetProperty("@t", out _) && l.TryGetProperty("@m", out _))
            .ToList();

    private static string? Property(JsonElement line, string name) =>
        line.TryGetProperty(name, out var value) ? value.ToString() : null;
}
