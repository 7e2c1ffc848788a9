using System.Net.Http.Headers;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Fuzzing;

/// <summary>
/// Ten thousand hostile bodies through the real endpoint: never a 5xx, never an error in the log, and the service still
/// works. The instance is the test's own, with the webhook rate limits lifted, so every body reaches the parser. The seed
/// is fixed (<see cref="DefaultSeed"/>) and printed; <c>HYBRIDFLOW_FUZZ_SEED=n</c> replays (or tries) another one.
/// </summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class WebhookFuzzTests
{
    private const int Bodies = 10_000;
    private const int DefaultSeed = 19_1919;
    public const string SeedVariable = "HYBRIDFLOW_FUZZ_SEED";

    [Test]
    public async Task TenThousandMutatedBodies_NeverCauseA5xx_AndTheServiceStillAnswers()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var s) ? s : DefaultSeed;
        TestContext.Out.WriteLine($"{SeedVariable}={seed} (set it to replay this run)");
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LOG_LEVEL"] = "warning",
            // 0 lifts a limit: a 429 would end a body before the parser sees it.
            ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = "0",
            ["RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"] = "0",
        });
        var (_, recordOnly) = await app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var fuzzer = new WebhookFuzzer(seed, Payloads.Load);

        var capture = new ConsoleCapture();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        try
        {
            var sent = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, Bodies), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
            {
                byte[] body;
                lock (fuzzer) body = fuzzer.Next(recordOnly);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhook/{recordOnly}") { Content = content };
                request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
                using var response = await app.Client.SendAsync(request, ct);
                var status = (int)response.StatusCode;
                lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500 && Interlocked.Increment(ref sent) <= 3)
                    lock (failures) failures.Add($"{status} (seed {seed}): {System.Text.Encoding.UTF8.GetString(body[..Math.Min(body.Length, 300)])}");
            });
        }
        finally
        {
            capture.Dispose();
        }

        TestContext.Out.WriteLine("statuses: " + string.Join(", ", statuses.OrderBy(k => k.Key).Select(k => $"{k.Key}×{k.Value}")));
        var errors = capture.Text.Split('\n').Where(l => l.Contains("\"@l\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal)).ToList();
        Assert.That(failures, Is.Empty, string.Join('\n', failures) + "\n" + string.Join('\n', errors.Take(2)));
        Assert.That(statuses.Values.Sum(), Is.EqualTo(Bodies));
        Assert.That(statuses.Keys, Is.All.LessThan(500));
        Assert.That(statuses.Keys, Does.Not.Contain(429), $"every body reached the parser (seed {seed})");
        Assert.That(statuses.Keys, Does.Contain(200).And.Contain(400), "the fuzzer reaches both the happy path and the validation path");
        Assert.That(errors, Is.Empty, string.Join('\n', errors.Take(3)));

        var (_, answering) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(answering, Payloads.CustomerText(chat, "Oi, ainda funciona?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "a normal message is still answered");
    }
}
