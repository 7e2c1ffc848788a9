using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.SendMessage;

/// <summary>At info level the send-message and workflow paths log no message text, no full phone number and no secret.</summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class SendMessageLoggingTests
{
    [Test]
    public async Task SendsAndWorkflowPosts_LogNoPersonalDataOrSecrets()
    {
        const string workflowSecret = "workflow-secret-for-logging-test-42";
        const string customerText = "Meu CPF é 123.456.789-00, pode anotar?";
        const string botText = "Anotado, seu endereço é Rua das Flores 123";
        await using var workflow = await FakeWorkflowServer.StartAsync();
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "info" });
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync(
            new { reply_mode = "workflow", workflow_url = workflow.NewHook(workflowSecret), workflow_secret = workflowSecret });
        var key = await app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var chat = Payloads.NewChatId();
        var number = chat.Split('@')[0];

        string log;
        using (var capture = new ConsoleCapture())
        {
            await app.DeliverAsync(instance, Payloads.CustomerText(chat, customerText));
            await HybridFlowApp.EventuallyAsync(() => workflow.CallsFor(chat).Count == 1, "the event POSTed");
            await app.SendMessageAsync(key, new { instance_name = instance, number, text = botText, @as = "bot" });
            app.Evolution.FailNext((500, """{"status":500,"error":"Internal Server Error"}"""), (500, "{}"), (500, "{}"));
            var failed = await app.PostWithKeyAsync(ApiCalls.SendMessagePath, new { instance_name = instance, number, text = botText, @as = "agent" }, key);
            Assert.That((int)failed.StatusCode, Is.EqualTo(502));
            // The last request's line: everything checked below was written before it.
            await capture.UntilAsync(l => l.Split('\n').Any(line => line.Contains(ApiCalls.SendMessagePath, StringComparison.Ordinal) && line.Contains("answered 502", StringComparison.Ordinal)),
                "the failed send's request");
            log = capture.Text;
        }
        Assert.That(log, Does.Contain("\"action\":\"workflow_queued\""), "the log was captured");
        Assert.That(log, Does.Not.Contain(number), "no full phone number");
        Assert.That(log, Does.Not.Contain("CPF"), "no customer text");
        Assert.That(log, Does.Not.Contain("Rua das Flores"), "no text we sent");
        Assert.That(log, Does.Not.Contain(workflowSecret));
        Assert.That(log, Does.Not.Contain(key));
        Assert.That(log, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));
    }
}
