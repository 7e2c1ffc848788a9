using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>Logs are JSON lines with the webhook's fields, and at info level hold no message text and no full phone number.</summary>
[NonParallelizable]
public sealed class LoggingTests
{
    [Test]
    public async Task WebhookLog_HasTheFields_ButNoPersonalData()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        const string secretText = "Meu CPF é 123.456.789-00, pode anotar?";

        var original = Console.Out;
        var captured = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(captured));
        try
        {
            await app.DeliverAsync(instance, Payloads.CustomerText(chat, secretText));
            await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "reply sent");
            await app.GetSessionAsync(instance, chat); // the chat id is in this URL
            await Task.Delay(300);
        }
        finally
        {
            Console.SetOut(original);
        }

        var log = captured.ToString();
        var number = chat.Split('@')[0];
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
}
