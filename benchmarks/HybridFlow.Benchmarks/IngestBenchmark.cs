using System.Diagnostics;

namespace HybridFlow.Benchmarks;

public sealed record IngestResult(
    double RequestsPerSecond,
    long Completed,
    long AcceptedTotal,
    long Errors,
    IReadOnlyList<string> ErrorSamples,
    LatencySummary Latency,
    CpuUsage Cpu,
    long PeakRssKb,
    long MeanRssKb,
    double? WebhooksPerTransaction);

/// <summary>
/// Closed-loop webhook load: <c>concurrency</c> senders, each posting the next delivery as soon as the previous one is
/// answered. Warm-up and measured window run back to back on the same connections; only deliveries that complete
/// inside the measured window count, each with its own latency.
/// </summary>
public sealed class IngestBenchmark
{
    private readonly ApiClient _api;
    private readonly BenchTenant _tenant;
    private readonly WebhookBodies _bodies;
    private readonly BenchmarkOptions _options;
    private readonly int? _apiPid;
    private readonly uint _runTag = (uint)Random.Shared.Next();
    private long _sequence;

    /// <param name="apiPid">The API process whose CPU and RSS are measured; by default --api-pid's.</param>
    public IngestBenchmark(ApiClient api, BenchTenant tenant, WebhookBodies bodies, BenchmarkOptions options, int? apiPid = null)
    {
        _api = api;
        _tenant = tenant;
        _bodies = bodies;
        _options = options;
        _apiPid = apiPid ?? options.ApiPid;
    }

    /// <summary>The action the API answers for a customer message of a reply_mode "off" tenant.</summary>
    public const string ExpectedAction = "\"action\":\"recorded\"";

    public async Task<IngestResult> RunAsync(TimeSpan warmup, TimeSpan duration)
    {
        var frequency = Stopwatch.Frequency;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(warmup.TotalSeconds * frequency);
        var measureTo = measureFrom + (long)(duration.TotalSeconds * frequency);
        var workers = new Worker[_options.Concurrency];
        for (var i = 0; i < workers.Length; i++) workers[i] = new Worker();

        // The CPU counters and the RSS sampler start when the warm-up ends.
        ProcFs.Snapshot? cpuStart = null;
        RssSampler? sampler = null;
        (double Transactions, double Webhooks)? groupsStart = null;
        var monitor = Task.Run(async () =>
        {
            await Task.Delay(warmup);
            cpuStart = ProcFs.Take(_apiPid, _options.PostmasterPid);
            sampler = new RssSampler(_apiPid);
            groupsStart = await _api.ReadWebhookTransactionsAsync();
        });

        await Task.WhenAll(workers.Select(w => Task.Run(() => LoopAsync(w, measureFrom, measureTo))));
        var cpuEnd = ProcFs.Take(_apiPid, _options.PostmasterPid);
        var groupsEnd = await _api.ReadWebhookTransactionsAsync();
        await monitor;
        await sampler!.DisposeAsync();
        var peak = sampler.MaxKb;
        var mean = sampler.MeanKb;

        var completed = workers.Sum(w => w.Latencies.Count);
        var errors = workers.Sum(w => w.Errors);
        return new IngestResult(
            completed / duration.TotalSeconds,
            completed,
            workers.Sum(w => w.AcceptedTotal),
            errors,
            [.. workers.SelectMany(w => w.ErrorSamples).Take(5)],
            LatencySummary.FromTicks(workers.SelectMany(w => w.Latencies)),
            ProcFs.Between(cpuStart!, cpuEnd),
            peak,
            mean,
            groupsStart is { } a && groupsEnd is { } b && b.Transactions > a.Transactions
                ? (b.Webhooks - a.Webhooks) / (b.Transactions - a.Transactions)
                : null);
    }

    private async Task LoopAsync(Worker worker, long measureFrom, long measureTo)
    {
        while (true)
        {
            var begin = Stopwatch.GetTimestamp();
            if (begin >= measureTo) return;

            var sequence = Interlocked.Increment(ref _sequence);
            var chat = Random.Shared.NextInt64(1, _options.Chats + 1);
            var body = _bodies.Utf8Body(WebhookBodies.MessageId(_runTag, sequence), WebhookBodies.Number(9, chat), DateTimeOffset.UtcNow.ToUnixTimeSeconds());

            int status;
            string answer;
            try
            {
                (status, answer) = await _api.PostWebhookAsync(_tenant, body, CancellationToken.None);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                status = 0;
                answer = e.GetType().Name + ": " + e.Message;
            }

            var end = Stopwatch.GetTimestamp();
            var ok = status == 200 && answer.Contains(ExpectedAction, StringComparison.Ordinal);
            if (ok) worker.AcceptedTotal++;
            if (end < measureFrom || end > measureTo) continue;
            if (ok)
            {
                worker.Latencies.Add(end - begin);
            }
            else
            {
                worker.Errors++;
                if (worker.ErrorSamples.Count < 2) worker.ErrorSamples.Add($"{status} {Truncate(answer)}");
            }
        }
    }

    private static string Truncate(string s) => s.Length <= 200 ? s : s[..200] + "…";

    private sealed class Worker
    {
        public List<long> Latencies { get; } = new(capacity: 8192);
        public List<string> ErrorSamples { get; } = [];
        public long Errors { get; set; }
        /// <summary>Every delivery answered 200 "recorded", warm-up included: each must be a stored message.</summary>
        public long AcceptedTotal { get; set; }
    }
}
