using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>Logs are JSON lines with the webhook's fields, and at info level hold no message text and no full phone number.</summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class LoggingTests
{
    [Test]
    public async Task WebhookLog_HasTheFields_ButNoPersonalData()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        const string secretText = "Meu CPF é 123.456.789-00, pode anotar?";

        var number = chat.Split('@')[0];
        string log;
        using (var capture = new ConsoleCapture())
        {
            await app.DeliverAsync(instance, Payloads.CustomerText(chat, secretText));
            await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "reply sent");
            await app.GetSessionAsync(instance, chat); // the chat id is in this URL
            // Written after everything checked below: the reply job's last line, and this request's line.
            await capture.UntilAsync(l => l.Contains(" sent on attempt ", StringComparison.Ordinal), "the reply job sent");
            await capture.UntilAsync(l => l.Contains($"\"path\":\"/sessions/{instance}/", StringComparison.Ordinal), "the session request");
            log = capture.Text;
        }

        Assert.That(log, Does.Contain("\"action\":\"ai_queued\""));
        Assert.That(log, Does.Contain("\"duration_ms\":"));
        Assert.That(log, Does.Contain("\"correlation_id\":"));
        Assert.That(log, Does.Contain("\"instance\":\"" + instance + "\""));
        Assert.That(log, Does.Contain(number[^4..] + "@s.whatsapp.net"), "the masked chat id keeps the last digits");
        Assert.That(log, Does.Not.Contain(number), "no full phone number");
        Assert.That(log, Does.Not.Contain("CPF"), "no message text");
        Assert.That(log, Does.Not.Contain(HybridFlowApp.WebhookSecret));
        Assert.That(log, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));
        foreach (var line in log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')))
            Assert.DoesNotThrow(() => System.Text.Json.JsonDocument.Parse(line), line);
    }

    [Test]
    public async Task RequestLine_IsOneEventPerRequest_WithMethodMaskedPathStatusDurationAndCorrelationId()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        var number = chat.Split('@')[0];

        var log = await CaptureAsync(async () =>
        {
            var request = new HttpRequestMessage(HttpMethod.Get, $"/sessions/{instance}/{chat}");
            request.Headers.Add("X-Correlation-Id", "request-line-test");
            request.Headers.Add("X-Api-Key", HybridFlowApp.AdminKey);
            Assert.That((int)(await app.Client.SendAsync(request)).StatusCode, Is.EqualTo(200));
        }, until: $"\"path\":\"/sessions/{instance}/");

        var lines = JsonLines(log).Where(l => l.TryGetProperty("correlation_id", out var id) && id.GetString() == "request-line-test"
                                              && l.TryGetProperty("duration_ms", out _) && l.TryGetProperty("path", out _)).ToList();
        Assert.That(lines, Has.Count.EqualTo(1), log);
        var line = lines[0];
        Assert.That(line.GetProperty("method").GetString(), Is.EqualTo("GET"));
        Assert.That(line.GetProperty("status").GetInt32(), Is.EqualTo(200));
        Assert.That(line.GetProperty("duration_ms").GetDouble(), Is.GreaterThanOrEqualTo(0));
        Assert.That(line.GetProperty("path").GetString(), Is.EqualTo($"/sessions/{instance}/{new string('*', number.Length - 4)}{number[^4..]}@s.whatsapp.net"));
        Assert.That(line.TryGetProperty("@l", out _), Is.False, "information");
        Assert.That(line.GetProperty("@m").GetString(), Does.StartWith("\"GET\" \"/sessions/"));
        Assert.That(log, Does.Not.Contain(number), "no full phone number anywhere");
    }

    [Test]
    public async Task RequestLine_AnsweredWith503_IsAWarning()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info", ["N8N_ENABLED"] = "true" });
        var log = await CaptureAsync(async () => Assert.That((int)(await app.Client.GetAsync("/health")).StatusCode, Is.EqualTo(503)), until: "\"path\":\"/health\"");
        var line = JsonLines(log).Single(l => l.TryGetProperty("path", out var path) && path.GetString() == "/health");
        Assert.That(line.GetProperty("status").GetInt32(), Is.EqualTo(503));
        Assert.That(line.GetProperty("@l").GetString(), Is.EqualTo("Warning"));
    }

    [Test]
    public async Task Development_WritesAReadableConsole_NotJson()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" }, environment: "Development");
        var log = await CaptureAsync(async () => Assert.That((int)(await app.Client.GetAsync("/health")).StatusCode, Is.EqualTo(200)), until: "GET /health answered");
        var line = log.Split('\n').Single(l => l.Contains("/health", StringComparison.Ordinal));
        Assert.That(line, Does.Match(@"^\[\d{2}:\d{2}:\d{2} INF\] GET /health answered 200 in [\d.]+ ms"));
        Assert.That(log.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => l.StartsWith('{')), Is.Empty, "no JSON lines");
    }

    /// <summary>The log written while <paramref name="action"/> ran, up to the line holding <paramref name="until"/> (its last request's line).</summary>
    private static async Task<string> CaptureAsync(Func<Task> action, string until)
    {
        using var capture = new ConsoleCapture();
        await action();
        await capture.UntilAsync(l => l.Contains(until, StringComparison.Ordinal), until);
        return capture.Text;
    }

    private static List<JsonElement> JsonLines(string log) =>
        log.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('{'))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .ToList();
}
