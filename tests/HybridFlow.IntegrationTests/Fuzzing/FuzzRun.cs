using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Fuzzing;

/// <summary>
/// What every webhook fuzz test does: a seed that can be replayed, an app whose webhook limits do not end a body before
/// the parser, and many hostile bodies posted in parallel, with no 5xx and no error in the log.
/// </summary>
internal static class FuzzRun
{
    public const string SeedVariable = "HYBRIDFLOW_FUZZ_SEED";

    /// <summary>The seed of this run (<c>HYBRIDFLOW_FUZZ_SEED=n</c> replays or tries another), printed.</summary>
    public static int Seed(int defaultSeed)
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable(SeedVariable), out var s) ? s : defaultSeed;
        TestContext.Out.WriteLine($"{SeedVariable}={seed} (set it to replay this run)");
        return seed;
    }

    public static Task<HybridFlowApp> StartAppAsync() => HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        ["LOG_LEVEL"] = "warning",
        // 0 lifts a limit: a 429 would end a body before the parser sees it.
        ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = "0",
        ["RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"] = "0",
    });

    /// <summary>
    /// Posts <paramref name="bodies"/> bodies from <paramref name="next"/> (8 at a time) and asserts that none was
    /// answered 5xx or 429, that the happy path and the validation path were both reached, and that nothing was logged
    /// as an error.
    /// </summary>
    public static async Task PostAllAsync(int bodies, int seed, Func<byte[]> next, Func<byte[], CancellationToken, Task<HttpResponseMessage>> post)
    {
        var capture = new ConsoleCapture();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        try
        {
            var failed = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, bodies), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (_, ct) =>
            {
                byte[] body;
                lock (next) body = next();
                using var response = await post(body, ct);
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
        Assert.That(statuses.Values.Sum(), Is.EqualTo(bodies));
        Assert.That(statuses.Keys, Is.All.LessThan(500));
        Assert.That(statuses.Keys, Does.Not.Contain(429), $"every body reached the parser (seed {seed})");
        Assert.That(statuses.Keys, Does.Contain(200).And.Contain(400), "the fuzzer reaches both the happy path and the validation path");
        Assert.That(errors, Is.Empty, string.Join('\n', errors.Take(3)));
    }
}
