using System.Collections.Concurrent;
using System.Diagnostics;

namespace HybridFlow.Benchmarks;

public sealed record ReplyResult(
    int Sent,
    int Accepted,
    int Replied,
    int Missing,
    int DoubleSends,
    double AchievedRate,
    LatencySummary Overhead,
    LatencySummary Webhook,
    CpuUsage Cpu,
    IReadOnlyList<string> ErrorSamples);

/// <summary>
/// Open-loop load on a reply_mode "ai" tenant: webhooks go out on a fixed schedule (not waiting for answers), each
/// from a new chat, and the time from sending the webhook to the fake Evolution receiving that chat's sendText is the
/// reply overhead (the fake model and the fake Evolution answer at once, so it is all HybridFlow and PostgreSQL).
/// </summary>
public sealed class ReplyOverheadBenchmark
{
    private readonly ApiClient _api;
    private readonly BenchTenant _tenant;
    private readonly WebhookBodies _bodies;
    private readonly FakeUpstreams _upstreams;
    private readonly BenchmarkOptions _options;
    private readonly uint _runTag = (uint)Random.Shared.Next();
    private long _chat;

    public ReplyOverheadBenchmark(ApiClient api, BenchTenant tenant, WebhookBodies bodies, FakeUpstreams upstreams, BenchmarkOptions options)
    {
        _api = api;
        _tenant = tenant;
        _bodies = bodies;
        _upstreams = upstreams;
        _options = options;
    }

    public async Task<ReplyResult> RunAsync(double rate, TimeSpan duration, TimeSpan drainTimeout)
    {
        var count = Math.Max(1, (int)Math.Round(rate * duration.TotalSeconds));
        var sentAt = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var webhookTicks = new ConcurrentBag<long>();
        var errors = new ConcurrentQueue<string>();
        var accepted = 0;
        var inFlight = new List<Task>(count);

        var cpuStart = ProcFs.Take(_options.ApiPid, _options.PostmasterPid);
        var start = Stopwatch.GetTimestamp();
        var interval = Stopwatch.Frequency / rate;
        for (var i = 0; i < count; i++)
        {
            var due = start + (long)(i * interval);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero) await Task.Delay(wait);
            inFlight.Add(SendOneAsync());
        }
        var scheduleSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        await Task.WhenAll(inFlight);

        // Wait (bounded) for every accepted webhook's reply.
        var deadline = Stopwatch.GetTimestamp() + (long)(drainTimeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && sentAt.Keys.Any(n => !_upstreams.TryGetSend(n, out _)))
            await Task.Delay(50);
        var cpuEnd = ProcFs.Take(_options.ApiPid, _options.PostmasterPid);

        var overhead = new List<long>();
        var missing = 0;
        var doubles = 0;
        foreach (var (number, sent) in sentAt)
        {
            if (!_upstreams.TryGetSend(number, out var record))
            {
                missing++;
                continue;
            }
            overhead.Add(record.FirstTimestamp - sent);
            if (record.Count > 1) doubles++;
        }

        return new ReplyResult(
            count,
            accepted,
            overhead.Count,
            missing,
            doubles,
            count / Math.Max(scheduleSeconds, 1e-9),
            LatencySummary.FromTicks(overhead),
            LatencySummary.FromTicks(webhookTicks),
            ProcFs.Between(cpuStart, cpuEnd),
            [.. errors.Take(5)]);

        async Task SendOneAsync()
        {
            var chat = Interlocked.Increment(ref _chat);
            var number = WebhookBodies.Number(8, chat);
            var body = _bodies.Utf8Body(WebhookBodies.MessageId(_runTag, chat), number, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            var begin = Stopwatch.GetTimestamp();
            sentAt[number] = begin;
            try
            {
                var (status, answer) = await _api.PostWebhookAsync(_tenant, body, CancellationToken.None);
                webhookTicks.Add(Stopwatch.GetTimestamp() - begin);
                if (status == 200 && answer.Contains("\"action\":\"ai_queued\"", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref accepted);
                    return;
                }
                errors.Enqueue($"{status} {answer}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                errors.Enqueue(e.GetType().Name + ": " + e.Message);
            }
            // Not accepted: no reply is expected.
            sentAt.TryRemove(number, out _);
        }
    }
}
