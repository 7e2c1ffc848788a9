using System.Net.Http.Headers;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Fuzzing;

/// <summary>
/// Ten thousand hostile bodies through the real endpoint: never a 5xx, never an error in the log, and the service still
/// works. The instance is the test's own, with the webhook rate limits lifted, so every body reaches the parser. The seed
/// is fixed (<see cref="DefaultSeed"/>) and printed; <c>HYBRIDFLOW_FUZZ_SEED=n</c> replays (or tries) another one (<see cref="FuzzRun"/>).
/// </summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class WebhookFuzzTests
{
    private const int Bodies = 10_000;
    private const int DefaultSeed = 19_1919;

    [Test]
    public async Task TenThousandMutatedBodies_NeverCauseA5xx_AndTheServiceStillAnswers()
    {
        var seed = FuzzRun.Seed(DefaultSeed);
        await using var app = await FuzzRun.StartAppAsync();
        var (_, recordOnly) = await app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var fuzzer = new WebhookFuzzer(seed, Payloads.Load);

        await FuzzRun.PostAllAsync(Bodies, seed, () => fuzzer.Next(recordOnly), async (body, ct) =>
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{recordOnly}") { Content = content };
            request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
            return await app.Client.SendAsync(request, ct);
        });

        var (_, answering) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(answering, Payloads.CustomerText(chat, "Oi, ainda funciona?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "a normal message is still answered");
    }
}
