using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Fuzzing;

/// <summary>
/// Hostile Cloud API bodies through POST /webhooks/meta, each validly signed so that it reaches the parser and the
/// pipeline: never a 5xx, never an error in the log, and the service still answers. Seeded like <see cref="WebhookFuzzTests"/>
/// (<c>HYBRIDFLOW_FUZZ_SEED=n</c> replays another run).
/// </summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class MetaWebhookFuzzTests
{
    private const int Bodies = 5_000;
    private const int DefaultSeed = 21_2121;

    private static readonly string[] PayloadNames =
    [
        "messages_text", "messages_image", "messages_audio", "messages_interactive", "messages_button", "messages_bsuid",
        "messages_unsupported", "statuses_sent", "statuses_failed", "echo_text", "echo_revoke", "echo_edit",
    ];

    [Test]
    public async Task MutatedSignedBodies_NeverCauseA5xx_AndTheServiceStillAnswers()
    {
        var seed = FuzzRun.Seed(DefaultSeed);
        await using var app = await FuzzRun.StartAppAsync();
        var (_, _, phoneNumberId) = await app.CreateTenantWithMetaInstanceAsync(new { reply_mode = "off" });
        var fuzzer = new WebhookFuzzer(seed, name =>
        {
            var body = FakeGraphApi.LoadWebhook(name);
            FakeGraphApi.ValueOf(body)["metadata"]!["phone_number_id"] = phoneNumberId;
            return body;
        }, PayloadNames);

        await FuzzRun.PostAllAsync(Bodies, seed, () => fuzzer.Next("unused"),
            (body, _) => app.Graph.PostWebhookBytesAsync(body, FakeGraphApi.Sign(body, app.Graph.AppSecret)));

        var (_, _, answeringNumber) = await app.CreateTenantWithMetaInstanceAsync();
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(answeringNumber, waId, "Oi, ainda funciona?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Graph.SentMessages.Any(r => r.Json.GetProperty("to").GetString() == waId),
            "a normal message is still answered through the Graph API");
    }
}
