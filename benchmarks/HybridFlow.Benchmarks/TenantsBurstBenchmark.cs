using System.Diagnostics;
using System.Globalization;

namespace HybridFlow.Benchmarks;

/// <summary>The many-tenant burst of issue 18: what happened, and its bars.</summary>
public sealed record TenantsBurstResult(
    int Tenants,
    int Customers,
    TimeSpan Spread,
    TimeSpan ModelLatency,
    string Settings,
    string LoadBefore,
    int? DebounceSeconds,
    int Accepted,
    int Replied,
    int Missing,
    int DoubleReplies,
    int ExtraSends,
    TimeSpan? TimeToLastReply,
    TimeSpan LastReplySoFar,
    LatencySummary Reply,
    LatencySummary Acknowledgement,
    LatencySummary WebhookToModel,
    LatencySummary ModelToSend,
    CpuUsage Cpu,
    long? PeakRssKb,
    int PeakConnections,
    int PeakBusyConnections,
    int PeakModelCalls,
    int ModelConnections,
    int EvolutionConnections,
    (int Count, string? First) LoggedErrors,
    IReadOnlyList<string> ErrorSamples)
{
    /// <summary>The process's second burst (its code compiled by the first), not the first one right after its start.</summary>
    public bool WarmProcess { get; init; }

    /// <summary>How the process stood: a report's label.</summary>
    public string ProcessLabel => WarmProcess ? "warm process (its second burst)" : "fresh process (its first burst)";

    public static readonly TimeSpan LastReplyBar = TimeSpan.FromSeconds(8);
    public const double AckP99BarMs = 400;
    public const double AckP99StretchMs = 250;

    /// <summary>The stretch: 2·L + 2 s.</summary>
    public TimeSpan LastReplyStretch => 2 * ModelLatency + TimeSpan.FromSeconds(2);

    public bool ExactlyOnceEach => Accepted == Customers && Missing == 0 && DoubleReplies == 0;
    public bool LastReplyMet => TimeToLastReply is { } t && t <= LastReplyBar;
    public bool LastReplyStretchMet => TimeToLastReply is { } t && t <= LastReplyStretch;
    public bool AckMet => Acknowledgement.P99 <= AckP99BarMs;
    public bool AckStretchMet => Acknowledgement.P99 <= AckP99StretchMs;
    public bool BarMet => ExactlyOnceEach && LastReplyMet && AckMet;

    /// <summary>CPU milliseconds per reply: API and PostgreSQL.</summary>
    public (double Api, double Postgres) CpuMsPerReply => Replied == 0 ? (double.NaN, double.NaN) : (Cpu.Api * 1000 / Replied, Cpu.Postgres * 1000 / Replied);
}

/// <summary>
/// Issue 18's burst: C customers of T tenants (each tenant with its own instance and webhook secret) write within
/// one second, one real-shaped messages.upsert webhook each, spread evenly over that second; the fake model answers
/// in L seconds. The API runs with its defaults (the tenants' settings too: debounce as the API sets it) in a
/// process of its own on a fresh database. Each webhook carries X-Correlation-Id, which the API passes on to the
/// model call of its reply, so every customer's path is timed in three legs: webhook → model request, the model,
/// model answer → sendText.
/// </summary>
public sealed class TenantsBurstBenchmark
{
    private readonly BenchmarkOptions _options;
    private readonly FakeUpstreams _upstreams;
    private readonly BenchDatabase _db;
    private readonly uint _runTag = (uint)Random.Shared.Next();
    private long _chat;

    public TenantsBurstBenchmark(BenchmarkOptions options, FakeUpstreams upstreams, BenchDatabase db)
    {
        _options = options;
        _upstreams = upstreams;
        _db = db;
    }

    /// <summary>Each round runs the first settings, then the compared ones (if any).</summary>
    public async Task<IReadOnlyList<TenantsBurstResult>> RunAllAsync()
    {
        var sets = _options.BurstCompareSettings is { } compare ? new[] { _options.BurstTenantSettings, compare } : [_options.BurstTenantSettings];
        var runs = new List<TenantsBurstResult>();
        for (var round = 1; round <= _options.BurstRounds; round++)
        {
            foreach (var settings in sets)
            {
                if (_options.BurstRounds > 1 || sets.Length > 1) Log($"   round {round}/{_options.BurstRounds}");
                runs.AddRange(await RunAsync(settings));
            }
        }
        if (runs.Count > 1)
        {
            Log("   all runs (settings, process | other programs' CPU | last reply | ack p50 / p99 | reply p50 | CPU per reply API + PostgreSQL):");
            foreach (var r in runs)
                Log(string.Create(CultureInfo.InvariantCulture,
                    $"   | {r.Settings}, {r.ProcessLabel} | {r.Cpu.Other / r.Cpu.Seconds:0.00} cores | {r.LastReplySoFar.TotalSeconds:0.00} s | {r.Acknowledgement.P50:0} / {r.Acknowledgement.P99:0} ms | {r.Reply.P50 / 1000:0.00} s | {r.CpuMsPerReply.Api:0.00} + {r.CpuMsPerReply.Postgres:0.00} ms"));
        }
        return runs;
    }

    /// <summary>
    /// Two bursts on one API process: the first right after its start and warm-up, while the JIT still compiles the
    /// reply path's code (tiered compilation); the second, of new customers, once the first has been answered, as on a
    /// process that has run for a while.
    /// </summary>
    public async Task<IReadOnlyList<TenantsBurstResult>> RunAsync(IReadOnlyList<string> settings)
    {
        var tenants = _options.BurstTenants;
        var customers = _options.BurstCustomers;
        Log(string.Create(CultureInfo.InvariantCulture,
            $"f. burst of many tenants: {customers} customers of {tenants} tenants write within {_options.BurstSpread.TotalSeconds:0.##} s, model answers in {_options.BurstLatency.TotalSeconds:0.##} s ({(settings.Count == 0 ? "API defaults" : string.Join(' ', settings))})"));
        var database = _options.BurstDatabase;
        await _db.RecreateDatabaseAsync(database);
        try
        {
            var logPath = Path.Combine(Path.GetTempPath(), "hybridflow-api-burst-tenants.log");
            await using var process = ApiProcess.Start(_options.ApiLauncher!, database, settings, logPath);
            Log($"   API pid {process.Pid} on {process.Url}, fresh database {database} (log: {logPath})");
            try
            {
                return await BurstsAsync(process, settings);
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

    private async Task<IReadOnlyList<TenantsBurstResult>> BurstsAsync(ApiProcess process, IReadOnlyList<string> settings)
    {
        using var api = new ApiClient(process.Url, _options.AdminKey, _options.BurstCustomers + 16);
        await api.WaitHealthyAsync(TimeSpan.FromSeconds(90), process.Pid);

        var run = Guid.NewGuid().ToString("N")[..8];
        // Each tenant with the API's default settings (debounce included) and an instance of its own.
        var tenants = new List<(BenchTenant Tenant, WebhookBodies Bodies)>();
        for (var t = 0; t < _options.BurstTenants; t++)
        {
            var tenant = await api.CreateTenantAsync($"Bench burst tenant {t + 1}", "ai", $"bench-tenants-{run}-{t + 1}", _upstreams.BaseAddress);
            tenants.Add((tenant, WebhookBodies.Load(tenant.Instance)));
        }
        var debounce = tenants[0].Tenant.DebounceSeconds;

        // Warm-up (JIT, connection pools): one chat per tenant, the model answering at once.
        _upstreams.ModelDelay = TimeSpan.Zero;
        var warmup = await Task.WhenAll(tenants.Select(t => SendAsync(api, t.Tenant, t.Bodies, NextNumber(), null)));
        await WaitForRepliesAsync(warmup.Where(w => w.Accepted).Select(w => w.Number), Stopwatch.GetTimestamp() + Ticks(TimeSpan.FromSeconds(60) + TimeSpan.FromSeconds(debounce ?? 0)));
        var warmupReplied = warmup.Count(w => _upstreams.TryGetSend(w.Number, out _));
        if (warmupReplied < warmup.Length) Log($"   warning: {warmupReplied}/{warmup.Length} warm-up chats answered within 60 s");
        await Task.Delay(500);

        var fresh = await BurstAsync(process, api, tenants, debounce, settings, warmProcess: false);
        // The first burst's replies are all in (its measurement waited for them); a little calm, as between bursts.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var warm = await BurstAsync(process, api, tenants, debounce, settings, warmProcess: true);
        return [fresh, warm];
    }

    private async Task<TenantsBurstResult> BurstAsync(ApiProcess process, ApiClient api, List<(BenchTenant Tenant, WebhookBodies Bodies)> tenants,
        int? debounce, IReadOnlyList<string> settings, bool warmProcess)
    {
        var customers = _options.BurstCustomers;
        var latency = _options.BurstLatency;
        var spread = _options.BurstSpread;
        Log(warmProcess ? "   the same process's second burst (warm):" : "   the fresh process's first burst:");
        // The second burst's errors are its own, not the first one's again.
        var errorsBefore = process.LoggedErrors().Count;
        _upstreams.ModelDelay = latency;
        _upstreams.ResetPeakModelCalls();
        _upstreams.ResetConnections();
        var load = MachineInfo.LoadAverageNow();
        // Customer i belongs to tenant i mod T and writes at i/C of the spread.
        var plan = Enumerable.Range(0, customers).Select(i => (Tenant: tenants[i % tenants.Count], Number: NextNumber())).ToArray();

        await using var rss = new RssSampler(process.Pid);
        await using var connections = new ConnectionSampler(_db, _options.BurstDatabase);
        var cpuStart = ProcFs.Take(process.Pid, _options.PostmasterPid);
        var start = Stopwatch.GetTimestamp();
        var sends = new Task<Sent>[customers];
        for (var i = 0; i < customers; i++)
        {
            var due = start + Ticks(spread * i / customers);
            while (Stopwatch.GetTimestamp() < due)
            {
                var left = TimeSpan.FromSeconds((due - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency);
                if (left > TimeSpan.FromMilliseconds(2)) await Task.Delay(left - TimeSpan.FromMilliseconds(1));
                else Thread.Yield();
            }
            var (tenant, number) = plan[i];
            sends[i] = Task.Run(() => SendAsync(api, tenant.Tenant, tenant.Bodies, number, "burst-" + number));
        }
        var sent = await Task.WhenAll(sends);

        var expected = sent.Where(s => s.Accepted).Select(s => s.Number).ToList();
        await WaitForRepliesAsync(expected, start + Ticks(TimeSpan.FromSeconds(90) + TimeSpan.FromSeconds(debounce ?? 0)));
        var cpuEnd = ProcFs.Take(process.Pid, _options.PostmasterPid);
        var peakRss = rss.MaxKb;
        var connectionPeaks = await connections.StopAsync();
        var (modelConnections, evolutionConnections) = _upstreams.ConnectionsSeen;
        // A little longer, so a late second reply is counted too.
        await Task.Delay(latency > TimeSpan.FromSeconds(2) ? latency : TimeSpan.FromSeconds(2));
        _upstreams.ModelDelay = TimeSpan.Zero;

        var replies = new List<long>();
        var toModel = new List<long>();
        var modelToSend = new List<long>();
        long lastArrival = start;
        int missing = 0, doubles = 0, extra = 0;
        foreach (var s in sent.Where(s => s.Accepted))
        {
            if (!_upstreams.TryGetSend(s.Number, out var record))
            {
                missing++;
                continue;
            }
            replies.Add(record.FirstTimestamp - s.SentAt);
            lastArrival = Math.Max(lastArrival, record.FirstTimestamp);
            if (record.Count > 1)
            {
                doubles++;
                extra += record.Count - 1;
            }
            if (_upstreams.TryGetModelCall("burst-" + s.Number, out var call))
            {
                toModel.Add(call.Arrived - s.SentAt);
                modelToSend.Add(record.FirstTimestamp - call.Answered);
            }
        }
        var accepted = sent.Count(s => s.Accepted);
        var lastReply = TimeSpan.FromSeconds((lastArrival - start) / (double)Stopwatch.Frequency);
        var result = new TenantsBurstResult(
            _options.BurstTenants,
            customers,
            spread,
            latency,
            settings.Count == 0 ? "defaults" : string.Join(' ', settings),
            load,
            debounce,
            accepted,
            replies.Count,
            missing + (customers - accepted),
            doubles,
            extra,
            missing == 0 && accepted == customers ? lastReply : null,
            lastReply,
            LatencySummary.FromTicks(replies),
            LatencySummary.FromTicks(sent.Select(s => s.AnsweredAfter)),
            LatencySummary.FromTicks(toModel),
            LatencySummary.FromTicks(modelToSend),
            ProcFs.Between(cpuStart, cpuEnd),
            peakRss > 0 ? peakRss : null,
            connectionPeaks.Open,
            connectionPeaks.Busy,
            _upstreams.PeakModelCallsInFlight,
            modelConnections,
            evolutionConnections,
            process.LoggedErrors(skip: errorsBefore),
            [.. sent.Where(s => s.Error is not null).Select(s => s.Error!).Distinct().Take(5)])
        {
            WarmProcess = warmProcess,
        };

        Log(string.Create(CultureInfo.InvariantCulture,
            $"   last reply after {lastReply.TotalSeconds:0.00} s{(result.TimeToLastReply is null ? " (some missing)" : "")}; reply latency p50 {S(result.Reply.P50)} p99 {S(result.Reply.P99)}; webhook ack p50 {result.Acknowledgement.P50:0} ms p99 {result.Acknowledgement.P99:0} ms max {result.Acknowledgement.Max:0} ms"));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"      legs: webhook → model request p50 {S(result.WebhookToModel.P50)} p99 {S(result.WebhookToModel.P99)}; model answer → sendText p50 {S(result.ModelToSend.P50)} p99 {S(result.ModelToSend.P99)}"));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"      {result.Replied}/{customers} answered, {result.Missing} missing, {doubles} answered twice or more; debounce {(debounce is { } d ? d + " s" : "?")}; model calls in flight peak {result.PeakModelCalls}; connections: PostgreSQL {connectionPeaks.Open} open / {connectionPeaks.Busy} busy (peaks), model {modelConnections}, Evolution {evolutionConnections}; peak RSS {Mb(result.PeakRssKb)}"));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"      CPU (first webhook to last reply, {result.Cpu.Seconds:0.0} s): {result.Cpu.Describe("load generator + fakes")}; per reply API {result.CpuMsPerReply.Api:0.00} ms + PostgreSQL {result.CpuMsPerReply.Postgres:0.00} ms; load before {load}"));
        foreach (var line in Timeline(start, sent)) Log("      " + line);
        foreach (var line in await ReadMetricsAsync(api)) Log("      /metrics " + line);
        if (result.LoggedErrors.Count > 0) Log($"      the API logged {result.LoggedErrors.Count} error line(s), first: {result.LoggedErrors.First}");
        foreach (var e in result.ErrorSamples) Log($"      webhook error: {e}");
        Log($"   bar: exactly once each {(result.ExactlyOnceEach ? "met" : "missed")}; last reply <= 8 s {(result.LastReplyMet ? "met" : "missed")} (stretch {result.LastReplyStretch.TotalSeconds:0.#} s {(result.LastReplyStretchMet ? "met" : "missed")}); ack p99 <= 400 ms {(result.AckMet ? "met" : "missed")} (stretch 250 ms {(result.AckStretchMet ? "met" : "missed")})");
        return result;
    }

    /// <summary>Per 250 ms from the first webhook: webhooks sent and acknowledged, model requests begun, replies arrived (for the log).</summary>
    private IEnumerable<string> Timeline(long start, Sent[] sent)
    {
        var step = Stopwatch.Frequency / 4;
        var rows = new SortedDictionary<long, int[]>();
        void Count(long at, int column)
        {
            var bucket = (at - start) / step;
            if (!rows.TryGetValue(bucket, out var row)) rows[bucket] = row = new int[4];
            row[column]++;
        }
        foreach (var s in sent)
        {
            Count(s.SentAt, 0);
            Count(s.SentAt + s.AnsweredAfter, 1);
            if (_upstreams.TryGetModelCall("burst-" + s.Number, out var call)) Count(call.Arrived, 2);
            if (_upstreams.TryGetSend(s.Number, out var record)) Count(record.FirstTimestamp, 3);
        }
        yield return "timeline (from the first webhook, per 250 ms): sent / acknowledged / model requests begun / replies";
        foreach (var (bucket, row) in rows)
            yield return string.Create(CultureInfo.InvariantCulture, $"  {bucket * 0.25,5:0.00} s: {row[0],4} {row[1],4} {row[2],4} {row[3],4}");
    }

    /// <summary>The sums and counts of the API's duration histograms (mean time per call as the API saw it).</summary>
    private static async Task<IEnumerable<string>> ReadMetricsAsync(ApiClient api)
    {
        try
        {
            var text = await api.ReadMetricsTextAsync();
            var sums = new Dictionary<string, (double Sum, double Count)>(StringComparer.Ordinal);
            foreach (var line in text.Split('\n'))
            {
                if (line.StartsWith('#') || !line.Contains("duration_seconds_", StringComparison.Ordinal)) continue;
                var isSum = line.Contains("_sum", StringComparison.Ordinal);
                if (!isSum && !line.Contains("_count", StringComparison.Ordinal)) continue;
                var key = line[..line.LastIndexOf(' ')].Replace("_sum", "", StringComparison.Ordinal).Replace("_count", "", StringComparison.Ordinal);
                var value = double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
                sums.TryGetValue(key, out var v);
                sums[key] = isSum ? (value, v.Count) : (v.Sum, value);
            }
            return sums.Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key}: {kv.Value.Count:0} calls, mean {kv.Value.Sum / Math.Max(1, kv.Value.Count) * 1000:0.0} ms (warm-up included)"));
        }
        catch (HttpRequestException e)
        {
            return [$"could not read: {e.Message}"];
        }
    }

    private sealed record Sent(string Number, long SentAt, long AnsweredAfter, bool Accepted, string? Error);

    private async Task<Sent> SendAsync(ApiClient api, BenchTenant tenant, WebhookBodies bodies, string number, string? correlationId)
    {
        var body = bodies.Utf8Body(WebhookBodies.MessageId(_runTag, Interlocked.Increment(ref _chat)), number, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        var begin = Stopwatch.GetTimestamp();
        try
        {
            var (status, answer) = await api.PostWebhookAsync(tenant, body, CancellationToken.None, correlationId);
            var took = Stopwatch.GetTimestamp() - begin;
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

    private string NextNumber() => WebhookBodies.Number(4, Interlocked.Increment(ref _chat));

    private static long Ticks(TimeSpan span) => (long)(span.TotalSeconds * Stopwatch.Frequency);

    private static string S(double ms) => double.IsNaN(ms) ? "–" : (ms / 1000).ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Mb(long? kb) => kb is { } v ? (v / 1024.0).ToString("0", CultureInfo.InvariantCulture) + " MiB" : "–";

    private static void Log(string line) => BenchmarkRun.Log(line);
}
