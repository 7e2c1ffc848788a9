using System.Globalization;

namespace HybridFlow.Benchmarks;

/// <summary>One round of the comparison: this API, then the other commit's API, then the fixed pgbench baseline.</summary>
public sealed record ComparisonRound(int Index, string LoadBefore, IngestResult This, long ThisStored, IngestResult Other, long OtherStored, PgBenchResult Baseline)
{
    public double RpsRatio => This.RequestsPerSecond / Other.RequestsPerSecond;
    public double P99Ratio => This.Latency.P99 / Other.Latency.P99;
}

/// <summary>The medians of one side's runs over the rounds.</summary>
public sealed record SideMedians(double Rps, double P50, double P99, double ApiCpuMs, double PostgresCpuMs, long Errors)
{
    public static SideMedians Of(IReadOnlyList<IngestResult> runs) => new(
        Stats.Median(runs.Select(r => r.RequestsPerSecond)),
        Stats.Median(runs.Select(r => r.Latency.P50)),
        Stats.Median(runs.Select(r => r.Latency.P99)),
        Stats.Median(runs.Select(r => r.Completed > 0 ? r.Cpu.Api * 1000 / r.Completed : double.NaN)),
        Stats.Median(runs.Select(r => r.Completed > 0 ? r.Cpu.Postgres * 1000 / r.Completed : double.NaN)),
        runs.Sum(r => r.Errors));
}

/// <summary>
/// Issue 18's bar for this commit against the other one, from the medians of the same run: deliveries per second at
/// least 0.95 × the other's, and p99 at most 1.1 × the other's.
/// </summary>
public sealed record ComparisonVerdict(double RpsRatio, double P99Ratio)
{
    public const double MinRpsRatio = 0.95;
    public const double MaxP99Ratio = 1.1;

    public bool RpsMet => RpsRatio >= MinRpsRatio;
    public bool P99Met => P99Ratio <= MaxP99Ratio;
    public bool Met => RpsMet && P99Met;

    public static ComparisonVerdict Of(SideMedians self, SideMedians other) =>
        new(self.Rps / other.Rps, self.P99 / other.P99);

    /// <summary>"met" or "not met", with both ratios against their limits.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"{(Met ? "met" : "NOT met")}: deliveries/s {RpsRatio:0.00} × (≥ {MinRpsRatio:0.00} {(RpsMet ? "ok" : "missed")}), p99 {P99Ratio:0.00} × (≤ {MaxP99Ratio:0.0} {(P99Met ? "ok" : "missed")})");
}

/// <summary>What the comparison measured.</summary>
public sealed record IngestComparison(string ThisLabel, string OtherLabel, IReadOnlyList<ComparisonRound> Rounds, string OtherLogErrors)
{
    public SideMedians This => SideMedians.Of([.. Rounds.Select(r => r.This)]);
    public SideMedians Other => SideMedians.Of([.. Rounds.Select(r => r.Other)]);
    public double BaselineTps => Stats.Median(Rounds.Select(r => r.Baseline.Tps));
    public double BaselineP50 => Stats.Median(Rounds.Select(r => r.Baseline.Latency.P50));
    public double BaselineP99 => Stats.Median(Rounds.Select(r => r.Baseline.Latency.P99));
    public double BaselinePostgresCpuMs => Stats.Median(Rounds.Select(r => r.Baseline.Transactions > 0 ? r.Baseline.Cpu.Postgres * 1000 / r.Baseline.Transactions : double.NaN));
    public ComparisonVerdict Verdict => ComparisonVerdict.Of(This, Other);

    /// <summary>Section a's pairs, taken from the rounds: this API's run and the baseline's run after it.</summary>
    public IReadOnlyList<PairResult> ThisPairs => [.. Rounds.Select(r => new PairResult(r.Index, r.LoadBefore, r.This, r.ThisStored, r.Baseline))];
}

/// <summary>
/// The ingest comparison (scripts/bench.sh --compare-to): the other commit's API on a fresh database of its own,
/// started through its own launcher, and this tree's API, loaded in turn (A, B, then the fixed pgbench baseline, each
/// run after a CHECKPOINT and its own warm-up) for --rounds rounds. Only one API is loaded at a time; the idle one
/// gets no traffic, and the CPU figures are each API process's own.
/// </summary>
public sealed class IngestComparisonRun
{
    private readonly BenchmarkOptions _options;
    private readonly FakeUpstreams _upstreams;

    public IngestComparisonRun(BenchmarkOptions options, FakeUpstreams upstreams)
    {
        _options = options;
        _upstreams = upstreams;
    }

    /// <param name="self">This tree's ingest load, its database and its tenant (set up by the caller).</param>
    public async Task<IngestComparison> RunAsync(IngestBenchmark self, BenchDatabase selfDb, BenchTenant selfTenant, BenchDatabase adminDb, PgBenchRunner baseline)
    {
        var o = _options;
        await adminDb.RecreateDatabaseAsync(o.CompareDatabase);
        var logPath = Path.Combine(Path.GetTempPath(), "hybridflow-api-compare.log");
        await using var process = ApiProcess.Start(o.CompareLauncher!, o.CompareDatabase, [], logPath);
        BenchmarkRun.Log($"   {o.CompareLabel}: API pid {process.Pid} on {process.Url}, fresh database {o.CompareDatabase} (log: {logPath})");
        try
        {
            using var otherApi = new ApiClient(process.Url, o.AdminKey, o.Concurrency * 2);
            await otherApi.WaitHealthyAsync(TimeSpan.FromSeconds(120), process.Pid);
            await using var otherDb = new BenchDatabase(new Npgsql.NpgsqlConnectionStringBuilder(o.ConnectionString) { Database = o.CompareDatabase }.ConnectionString);
            var run = Guid.NewGuid().ToString("N")[..8];
            // Both commits have the admin API's POST /api/tenants and /api/instances with these fields, and the same
            // webhook route and authentication (POST /webhook/{instance}, X-Webhook-Secret): one load generator serves both.
            var otherTenant = await otherApi.CreateTenantAsync("Bench ingest (reply off)", "off", $"bench-ingest-{run}", _upstreams.BaseAddress);
            var other = new IngestBenchmark(otherApi, otherTenant, WebhookBodies.Load(otherTenant.Instance), o, process.Pid);

            if (o.InitialWarmup > TimeSpan.Zero)
            {
                foreach (var (label, load) in new[] { (o.ThisLabel, self), (o.CompareLabel, other) })
                {
                    var warmup = await load.RunAsync(o.InitialWarmup, TimeSpan.FromSeconds(1));
                    BenchmarkRun.Log($"   warm-up {label}: {warmup.AcceptedTotal} deliveries in {o.InitialWarmup.TotalSeconds + 1:0} s{(warmup.AcceptedTotal == 0 ? $" ({string.Join("; ", warmup.ErrorSamples)})" : "")}");
                }
                // The rounds start from empty databases, as section a's name says.
                foreach (var db in new[] { selfDb, otherDb })
                {
                    await db.TruncateChatDataAsync();
                    await db.VacuumAnalyzeAsync();
                }
            }
            await baseline.ResetAsync();

            var rounds = new List<ComparisonRound>();
            for (var i = 1; i <= o.Rounds; i++)
            {
                var load = MachineInfo.LoadAverageNow();
                var (a, aStored) = await MeasureAsync(self, selfDb, selfTenant);
                var (b, bStored) = await MeasureAsync(other, otherDb, otherTenant);
                await selfDb.CheckpointAsync();
                var pg = await baseline.RunAsync(o.Duration);
                var round = new ComparisonRound(i, load, a, aStored, b, bStored, pg);
                rounds.Add(round);
                BenchmarkRun.Log(string.Create(CultureInfo.InvariantCulture,
                    $"   round {i}/{o.Rounds}: {o.ThisLabel} {Describe(a)} | {o.CompareLabel} {Describe(b)} | baseline {pg.Tps:0} tps (p99 {pg.Latency.P99:0.0} ms) | this/other: deliveries/s {round.RpsRatio:0.00}, p99 {round.P99Ratio:0.00}"));
                foreach (var (label, result, stored) in new[] { (o.ThisLabel, a, aStored), (o.CompareLabel, b, bStored) })
                {
                    if (stored < result.AcceptedTotal) BenchmarkRun.Log($"      warning: {label}: {result.AcceptedTotal} deliveries answered 200 but only {stored} messages stored");
                    foreach (var sample in result.ErrorSamples) BenchmarkRun.Log($"      error ({label}): {sample}");
                }
            }

            var errors = process.LoggedErrors();
            var comparison = new IngestComparison(o.ThisLabel, o.CompareLabel, rounds,
                errors.Count == 0 ? "" : $"{errors.Count} error line(s) in {o.CompareLabel}'s log, the first: {errors.First}");
            var (t, r) = (comparison.This, comparison.Other);
            BenchmarkRun.Log(string.Create(CultureInfo.InvariantCulture,
                $"   medians: {o.ThisLabel} {t.Rps:0}/s p50 {t.P50:0.0} ms p99 {t.P99:0.0} ms | {o.CompareLabel} {r.Rps:0}/s p50 {r.P50:0.0} ms p99 {r.P99:0.0} ms | baseline {comparison.BaselineTps:0} tps"));
            BenchmarkRun.Log($"   verdict (issue 18 bar, {o.ThisLabel} against {o.CompareLabel}): {comparison.Verdict.Describe()}");
            return comparison;
        }
        catch
        {
            BenchmarkRun.Log($"   last lines of {o.CompareLabel}'s API log:");
            foreach (var line in process.LastLogLines(20)) BenchmarkRun.Log("   | " + line);
            throw;
        }
    }

    private async Task<(IngestResult Result, long Stored)> MeasureAsync(IngestBenchmark load, BenchDatabase db, BenchTenant tenant)
    {
        await db.CheckpointAsync();
        var before = await db.CountAsync("SELECT count(*) FROM messages WHERE instance_id = $1", tenant.InstanceId);
        var result = await load.RunAsync(_options.Warmup, _options.Duration);
        var stored = await db.CountAsync("SELECT count(*) FROM messages WHERE instance_id = $1", tenant.InstanceId) - before;
        return (result, stored);
    }

    private static string Describe(IngestResult r) => string.Create(CultureInfo.InvariantCulture,
        $"{r.RequestsPerSecond:0}/s (p50 {r.Latency.P50:0.0} ms, p99 {r.Latency.P99:0.0} ms, CPU/delivery API {PerDelivery(r, r.Cpu.Api)} + PG {PerDelivery(r, r.Cpu.Postgres)} ms, {r.Errors} errors)");

    private static string PerDelivery(IngestResult r, double cpuSeconds) =>
        r.Completed > 0 ? (cpuSeconds * 1000 / r.Completed).ToString("0.00", CultureInfo.InvariantCulture) : "?";
}
