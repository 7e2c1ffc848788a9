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
        var seed = int.TryParse(Environment.GetEnvironmentVariable(WebhookFuzzTests.SeedVariable), out var s) ? s : DefaultSeed;
        TestContext.Out.WriteLine($"{WebhookFuzzTests.SeedVariable}={seed} (set it to replay this run)");
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LOG_LEVEL"] = "warning",
            ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = "0",
            ["RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"] = "0",
        });
        var (_, _, phoneNumberId) = await app.CreateTenantWithMetaInstanceAsync(new { reply_mode = "off" });
        var fuzzer = new WebhookFuzzer(seed, name =>
        {
            var body = FakeGraphApi.LoadWebhook(name);
            FakeGraphApi.ValueOf(body)["metadata"]!["phone_number_id"] = phoneNumberId;
            return body;
        }, PayloadNames);

        var capture = new ConsoleCapture();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        try
        {
            var failed = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, Bodies), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
            {
                byte[] body;
                lock (fuzzer) body = fuzzer.Next("unused");
                using var response = await app.Graph.PostWebhookBytesAsync(body, FakeGraphApi.Sign(body, app.Graph.AppSecret));
                var status = (int)response.StatusCode;
                lock (statuses) statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (status >= 500 && Interlocked.Increment(ref failed) <= 3)
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

        var (_, _, answeringNumber) = await app.CreateTenantWithMetaInstanceAsync();
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(answeringNumber, waId, "Oi, ainda funciona?")), Is.EqualTo("ai_queued"));
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1",
            FakeGraphApi.ChatOf(waId)), Is.EqualTo(1));
    }
}
