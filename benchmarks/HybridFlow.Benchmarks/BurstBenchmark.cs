using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace HybridFlow.Benchmarks;

/// <summary>An API configuration the burst runs against: a name for the report and the settings added to the API's.</summary>
public sealed record BurstConfiguration(string Name, IReadOnlyList<string> Settings)
{
    public string Describe => Settings.Count == 0 ? "defaults" : string.Join(' ', Settings);
}

/// <summary>One burst against one API process.</summary>
public sealed record BurstRunResult(
    BurstConfiguration Configuration,
    string LoadBefore,
    int Chats,
    int Accepted,
    int Replied,
    int Missing,
    int DoubleReplies,
    int ExtraSends,
    TimeSpan? TimeToLastReply,
    TimeSpan LastReplySoFar,
    LatencySummary Latency,
    LatencySummary Webhook,
    double? OtherTenantMs,
    int OtherTenantReplies,
    bool OtherTenantAccepted,
    int? DebounceSeconds,
    long? PeakRssKb,
    int PeakConnections,
    int PeakBusyConnections,
    int PeakModelCalls,
    int WarmupReplied,
    int WarmupChats,
    (int Count, string? First) LoggedErrors,
    IReadOnlyList<string> ErrorSamples)
{
    /// <summary>Every chat answered exactly once, the other tenant's customer too, and every webhook accepted.</summary>
    public bool ExactlyOnceEach => Accepted == Chats && Missing == 0 && DoubleReplies == 0 && OtherTenantAccepted && OtherTenantReplies == 1;
}

/// <summary>
/// The burst with the defaults and with REPLY_CONCURRENCY=2, and the bar of issue 9 (the one-tenant runs are null with
/// --burst-chats 0); and issue 18's burst of many tenants (null with --burst-customers 0).
/// </summary>
public sealed record BurstResult(int Chats, TimeSpan ModelLatency, TimeSpan OtherAfter, BurstRunResult? Default, BurstRunResult? Limited, BurstRunResult? Capped)
{
    /// <summary>The many-tenant burst with the first settings on a warm process (the median run by time to the last reply).</summary>
    public TenantsBurstResult? Tenants { get; init; }

    /// <summary>The same on a fresh process: each process's first burst, chosen the same way.</summary>
    public TenantsBurstResult? TenantsFresh { get; init; }

    /// <summary>Every run of the many-tenant burst, in order (with --burst-rounds and --burst-compare-settings).</summary>
    public IReadOnlyList<TenantsBurstResult> TenantsRuns { get; init; } = [];

    public TimeSpan LastReplyBar => 2 * ModelLatency + TimeSpan.FromSeconds(2);
    public TimeSpan OtherTenantBar => ModelLatency + TimeSpan.FromSeconds(1);

    /// <summary>Time to the last reply with REPLY_CONCURRENCY=2 over the defaults' (null when either missed replies).</summary>
    public double? Ratio => Default?.TimeToLastReply is { } d && Limited?.TimeToLastReply is { } l && d > TimeSpan.Zero ? l / d : null;

    public bool LastReplyMet => Default?.TimeToLastReply is { } t && t <= LastReplyBar;
    public bool OtherTenantMet => Default?.OtherTenantMs is { } ms && ms <= OtherTenantBar.TotalMilliseconds;
    public bool BarMet => LastReplyMet && OtherTenantMet && Default is { ExactlyOnceEach: true };
}

/// <summary>
/// Issue 9's burst: N chats of tenant A write at once (one real-shaped messages.upsert webhook each) to a model that
/// takes L seconds per answer; a little later one customer of tenant B writes. Each configuration gets an API
/// process of its own on a fresh database (<see cref="ApiProcess"/>), a short warm-up with a model that answers at
/// once, then the burst. Reply latency is from sending a chat's webhook to the fake Evolution receiving its sendText.
/// </summary>
public sealed class BurstBenchmark
{
    private const int WarmupChats = 10;

    private readonly BenchmarkOptions _options;
    private readonly FakeUpstreams _upstreams;
    private readonly BenchDatabase _db;
    private readonly uint _runTag = (uint)Random.Shared.Next();
    private long _chat;

    public BurstBenchmark(BenchmarkOptions options, FakeUpstreams upstreams, BenchDatabase db)
    {
        _options = options;
        _upstreams = upstreams;
        _db = db;
    }

    public static readonly BurstConfiguration Defaults = new("defaults", []);

    // REPLY_WORKERS too: the API before REPLY_CONCURRENCY knew only that (2 loops, one job each).
    public static readonly BurstConfiguration TwoInFlight = new("concurrency-2", ["REPLY_CONCURRENCY=2", "REPLY_WORKERS=2"]);

    // The caps issue 9 first proposed as defaults: a one-tenant burst is then bounded by ⌈N / 16⌉ model calls.
    public static readonly BurstConfiguration ProposedCaps = new("caps-64-16", ["REPLY_CONCURRENCY=64", "REPLY_TENANT_CONCURRENCY=16"]);

    public async Task<BurstResult> RunAsync()
    {
        var latency = _options.BurstLatency;
        BurstResult result;
        if (_options.BurstChats > 0)
        {
            Log($"e. burst: {_options.BurstChats} chats of one tenant at once, model answers in {latency.TotalSeconds:0.##} s, another tenant's customer {_options.BurstOtherAfter.TotalSeconds:0.##} s later");
            var defaults = await RunOneAsync(Defaults);
            var limited = await RunOneAsync(TwoInFlight);
            var capped = await RunOneAsync(ProposedCaps);
            result = new BurstResult(_options.BurstChats, latency, _options.BurstOtherAfter, defaults, limited, capped);
            Log(string.Create(CultureInfo.InvariantCulture,
                $"   time to the last reply, concurrency-2 / defaults: {(result.Ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "–")}; bar (all within {result.LastReplyBar.TotalSeconds:0.#} s, other tenant within {result.OtherTenantBar.TotalSeconds:0.#} s, one reply each): {(result.BarMet ? "met" : "not met")}"));
        }
        else
        {
            result = new BurstResult(0, latency, _options.BurstOtherAfter, null, null, null);
        }
        if (_options.BurstCustomers > 0)
        {
            var runs = await new TenantsBurstBenchmark(_options, _upstreams, _db).RunAllAsync();
            TenantsBurstResult Median(bool warm)
            {
                var same = runs.Where(r => r.Settings == runs[0].Settings && r.WarmProcess == warm)
                    .OrderBy(r => r.LastReplySoFar + (r.TimeToLastReply is null ? TimeSpan.FromHours(1) : TimeSpan.Zero)).ToList();
                return same[same.Count / 2];
            }
            // The bars are read on a process that has run a while: each process's second burst (the first one's is reported beside it).
            result = result with { Tenants = Median(warm: true), TenantsFresh = Median(warm: false), TenantsRuns = runs };
        }
        return result;
    }

    private async Task<BurstRunResult> RunOneAsync(BurstConfiguration configuration)
    {
        var database = _options.BurstDatabase;
        await _db.RecreateDatabaseAsync(database);
        try
        {
            var logPath = Path.Combine(Path.GetTempPath(), $"hybridflow-api-burst-{configuration.Name}.log");
            await using var process = ApiProcess.Start(_options.ApiLauncher!, database, configuration.Settings, logPath);
            Log($"   {configuration.Name}{(configuration.Settings.Count > 0 ? $" ({configuration.Describe})" : "")}: API pid {process.Pid} on {process.Url}, fresh database {database} (log: {logPath})");
            try
            {
                return await BurstAsync(configuration, process);
            }
            catch
            {
                Log("   last lines of that API's log:");
                foreach (var line in process.LastLogLines(20)) Log("   | " + line);
                throw;
            }
        }
        finally
        {
            _upstreams.ModelDelay = TimeSpan.Zero;
            await _db.DropDatabaseAsync(database);
        }
    }

    private async Task<BurstRunResult> BurstAsync(BurstConfiguration configuration, ApiProcess process)
    {
        var chats = _options.BurstChats;
        var latency = _options.BurstLatency;
        // Every chat's webhook goes out at once, each on its own connection.
        using var api = new ApiClient(process.Url, _options.AdminKey, chats + WarmupChats + 2);
        await api.WaitHealthyAsync(TimeSpan.FromSeconds(90), process.Pid);

        var run = Guid.NewGuid().ToString("N")[..8];
        // Debounce 0: the burst measures the pipeline, not a deliberate wait for more messages.
        var burstTenant = await api.CreateTenantAsync("Bench burst (tenant A)", "ai", $"bench-burst-a-{run}", _upstreams.BaseAddress, debounceSeconds: 0);
        var otherTenant = await api.CreateTenantAsync("Bench burst (tenant B)", "ai", $"bench-burst-b-{run}", _upstreams.BaseAddress, debounceSeconds: 0);
        var burstBodies = WebhookBodies.Load(burstTenant.Instance);
        var otherBodies = WebhookBodies.Load(otherTenant.Instance);

        // Warm-up (JIT, connection pools), the model answering at once.
        _upstreams.ModelDelay = TimeSpan.Zero;
        var warmup = await Task.WhenAll(Enumerable.Range(0, WarmupChats).Select(i =>
            SendAsync(api, i % 2 == 0 ? burstTenant : otherTenant, i % 2 == 0 ? burstBodies : otherBodies, NextNumber())));
        await WaitForRepliesAsync(warmup.Where(w => w.Accepted).Select(w => w.Number), Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(60)));
        var warmupReplied = warmup.Count(w => _upstreams.TryGetSend(w.Number, out _));
        if (warmupReplied < WarmupChats) Log($"   warning: {warmupReplied}/{WarmupChats} warm-up chats answered within 60 s");

        _upstreams.ModelDelay = latency;
        _upstreams.ResetPeakModelCalls();
        var load = MachineInfo.LoadAverageNow();
        var numbers = Enumerable.Range(0, chats).Select(_ => NextNumber()).ToArray();
        var otherNumber = NextNumber();

        await using var rss = new RssSampler(process.Pid);
        await using var connections = new ConnectionSampler(_db, _options.BurstDatabase);
        var start = Stopwatch.GetTimestamp();
        var burst = numbers.Select(number => SendAsync(api, burstTenant, burstBodies, number)).ToArray();
        var other = SendLaterAsync();
        var sent = await Task.WhenAll(burst);
        var otherSent = await other;

        // Wait (bounded: as long as one job at a time would take, and a minute) for every reply, then a little longer
        // for late second replies.
        var expected = sent.Where(s => s.Accepted).Select(s => s.Number).ToList();
        if (otherSent.Accepted) expected.Add(otherNumber);
        await WaitForRepliesAsync(expected, start + Ticks((chats + 1) * latency + TimeSpan.FromSeconds(60)));
        await Task.Delay(latency > TimeSpan.FromSeconds(2) ? latency : TimeSpan.FromSeconds(2));
        _upstreams.ModelDelay = TimeSpan.Zero;

        var latencies = new List<long>();
        long lastArrival = start;
        var missing = 0;
        var doubles = 0;
        var extra = 0;
        foreach (var s in sent.Where(s => s.Accepted))
        {
            if (!_upstreams.TryGetSend(s.Number, out var record))
            {
                missing++;
                continue;
            }
            latencies.Add(record.FirstTimestamp - s.SentAt);
            lastArrival = Math.Max(lastArrival, record.FirstTimestamp);
            if (record.Count > 1)
            {
                doubles++;
                extra += record.Count - 1;
            }
        }
        double? otherMs = null;
        var otherReplies = 0;
        if (_upstreams.TryGetSend(otherNumber, out var otherRecord))
        {
            otherMs = (otherRecord.FirstTimestamp - otherSent.SentAt) * 1000.0 / Stopwatch.Frequency;
            otherReplies = otherRecord.Count;
        }
        var accepted = sent.Count(s => s.Accepted);
        var lastReply = TimeSpan.FromSeconds((lastArrival - start) / (double)Stopwatch.Frequency);
        var connectionPeaks = await connections.StopAsync();

        var result = new BurstRunResult(
            configuration,
            load,
            chats,
            accepted,
            latencies.Count,
            missing + (chats - accepted),
            doubles,
            extra,
            missing == 0 && accepted == chats ? lastReply : null,
            lastReply,
            LatencySummary.FromTicks(latencies),
            LatencySummary.FromTicks(sent.Select(s => s.AnsweredAfter)),
            otherMs,
            otherReplies,
            otherSent.Accepted,
            burstTenant.DebounceSeconds,
            rss.MaxKb > 0 ? rss.MaxKb : null,
            connectionPeaks.Open,
            connectionPeaks.Busy,
            _upstreams.PeakModelCallsInFlight,
            warmupReplied,
            WarmupChats,
            process.LoggedErrors(),
            [.. sent.Append(otherSent).Where(s => s.Error is not null).Select(s => s.Error!).Distinct().Take(5)]);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"   {configuration.Name}: last reply after {lastReply.TotalSeconds:0.00} s{(result.TimeToLastReply is null ? " (some missing)" : "")}; latency p50 {Seconds(result.Latency.P50)} p99 {Seconds(result.Latency.P99)} max {Seconds(result.Latency.Max)}; other tenant {(otherMs is { } ms ? Seconds(ms) : "no reply")}"));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"      {result.Replied}/{chats} chats answered, {result.Missing} missing, {doubles} answered twice or more; other tenant answered {otherReplies}x; peak RSS {Mb(result.PeakRssKb)}, PostgreSQL connections peak {connectionPeaks.Open} open / {connectionPeaks.Busy} busy; model calls in flight peak {result.PeakModelCalls}; load before {load}"));
        if (result.LoggedErrors.Count > 0) Log($"      the API logged {result.LoggedErrors.Count} error line(s), first: {result.LoggedErrors.First}");
        foreach (var e in result.ErrorSamples) Log($"      webhook error: {e}");
        return result;

        async Task<Sent> SendLaterAsync()
        {
            await Task.Delay(_options.BurstOtherAfter);
            return await SendAsync(api, otherTenant, otherBodies, otherNumber);
        }
    }

    private sealed record Sent(string Number, long SentAt, long AnsweredAfter, bool Accepted, string? Error);

    private async Task<Sent> SendAsync(ApiClient api, BenchTenant tenant, WebhookBodies bodies, string number)
    {
        var body = bodies.Utf8Body(WebhookBodies.MessageId(_runTag, Interlocked.Increment(ref _chat)), number, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var begin = Stopwatch.GetTimestamp();
        try
        {
            var (status, answer) = await api.PostWebhookAsync(tenant, body, CancellationToken.None);
            var took = Stopwatch.GetTimestamp() - begin;
            // Any 200 is a message taken in; whether it is answered is what the burst checks.
            return status == 200 ? new Sent(number, begin, took, true, null) : new Sent(number, begin, took, false, $"{status} {answer}");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return new Sent(number, begin, Stopwatch.GetTimestamp() - begin, false, e.GetType().Name + ": " + e.Message);
        }
    }

    private async Task WaitForRepliesAsync(IEnumerable<string> numbers, long deadline)
    {
        var waiting = numbers.ToList();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            waiting.RemoveAll(n => _upstreams.TryGetSend(n, out _));
            if (waiting.Count == 0) return;
            await Task.Delay(20);
        }
    }

    private string NextNumber() => WebhookBodies.Number(3, Interlocked.Increment(ref _chat));

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static string Seconds(double ms) => double.IsNaN(ms) ? "–" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Mb(long? kb) => kb is { } v ? (v / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB" : "–";

    private static void Log(string line) => BenchmarkRun.Log(line);
}

/// <summary>Samples pg_stat_activity for one database every 100 ms and keeps the peaks.</summary>
public sealed class ConnectionSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _open;
    private int _busy;

    public ConnectionSampler(BenchDatabase db, string database) => _loop = Task.Run(() => LoopAsync(db, database));

    private async Task LoopAsync(BenchDatabase db, string database)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            try
            {
                var (open, busy) = await db.ConnectionsAsync(database);
                _open = Math.Max(_open, open);
                _busy = Math.Max(_busy, busy);
            }
            catch (NpgsqlException)
            {
                // A missed sample is not worth failing the run.
            }
        }
        while (await WaitAsync(timer));
    }

    private async Task<bool> WaitAsync(PeriodicTimer timer)
    {
        try
        {
            return await timer.WaitForNextTickAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async Task<(int Open, int Busy)> StopAsync()
    {
        if (!_stop.IsCancellationRequested) await _stop.CancelAsync();
        await _loop;
        return (_open, _busy);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}
