using System.Globalization;

namespace HybridFlow.Benchmarks;

/// <summary>One HybridFlow ingest run and the pgbench run right after it.</summary>
public sealed record PairResult(int Index, string LoadBefore, IngestResult Api, long StoredMessages, PgBenchResult PgBench)
{
    public double Ratio => Api.RequestsPerSecond / PgBench.Tps;
}

/// <summary>The pairs measured on one size of existing data.</summary>
public sealed record LevelResult(string Label, long MessagesAtStart, long SessionsAtStart, long MessagesAtEnd, TimeSpan? SeedTime, IReadOnlyList<PairResult> Pairs)
{
    public double MedianRatio => Stats.Median(Pairs.Select(p => p.Ratio));
    public double MedianRps => Stats.Median(Pairs.Select(p => p.Api.RequestsPerSecond));
    public double MedianTps => Stats.Median(Pairs.Select(p => p.PgBench.Tps));
    public double MedianP50 => Stats.Median(Pairs.Select(p => p.Api.Latency.P50));
    public double MedianP99 => Stats.Median(Pairs.Select(p => p.Api.Latency.P99));
    public double MedianPgBenchP50 => Stats.Median(Pairs.Select(p => p.PgBench.Latency.P50));
    public double MedianPgBenchP99 => Stats.Median(Pairs.Select(p => p.PgBench.Latency.P99));
    public long Errors => Pairs.Sum(p => p.Api.Errors);

    /// <summary>CPU milliseconds per delivery and per pgbench transaction (medians over the pairs).</summary>
    public (double Api, double Postgres, double Client) ApiCpuMs => (
        Stats.Median(Pairs.Select(p => p.Api.Cpu.Api * 1000 / p.Api.Completed)),
        Stats.Median(Pairs.Select(p => p.Api.Cpu.Postgres * 1000 / p.Api.Completed)),
        Stats.Median(Pairs.Select(p => p.Api.Cpu.Client * 1000 / p.Api.Completed)));

    public (double Postgres, double Client) PgBenchCpuMs => (
        Stats.Median(Pairs.Select(p => p.PgBench.Cpu.Postgres * 1000 / p.PgBench.Transactions)),
        Stats.Median(Pairs.Select(p => p.PgBench.Cpu.PgBench * 1000 / p.PgBench.Transactions)));
}

public sealed record MemoryResult(long? PeakHwmAfterIngestKb, long MaxSampledRssKb, long MeanSampledRssKb, long? RssAfterIngestKb, long? PeakHwmAtEndKb);

public sealed record BenchmarkResults(
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    MachineInfo Machine,
    string PostgresVersion,
    IReadOnlyList<(string Name, string Value)> PostgresSettings,
    LevelResult Ingest,
    PgBenchResult Unprepared,
    ReplyResult Reply,
    IReadOnlyList<LevelResult> Growth,
    MemoryResult Memory,
    BurstResult? Burst)
{
    /// <summary>This tree against another commit (--compare-to), when run; section a's pairs are its rounds.</summary>
    public IngestComparison? Comparison { get; init; }
}

/// <summary>What an --ingest-only run measured: section a (or the comparison's rounds) and the unprepared pgbench run.</summary>
public sealed record IngestOnlyResults(
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    MachineInfo Machine,
    string PostgresVersion,
    IReadOnlyList<(string Name, string Value)> PostgresSettings,
    LevelResult Ingest,
    PgBenchResult Unprepared,
    IngestComparison? Comparison);

/// <summary>What a --burst-only run measured.</summary>
public sealed record BurstOnlyResults(
    DateTimeOffset StartedAt,
    TimeSpan Elapsed,
    MachineInfo Machine,
    string PostgresVersion,
    IReadOnlyList<(string Name, string Value)> PostgresSettings,
    BurstResult Burst);

/// <summary>The whole benchmark: set up tenants, ingest pairs on a fresh database, reply overhead, growth, memory, burst.</summary>
public sealed class BenchmarkRun
{
    private readonly BenchmarkOptions _options;

    public BenchmarkRun(BenchmarkOptions options) => _options = options;

    public async Task<BenchmarkResults> RunAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        Log($"machine: {machine.CpuModel}, {machine.LogicalCpus} CPUs, {machine.Memory}, load {machine.LoadAverage}");

        await using var upstreams = await FakeUpstreams.StartAsync(_options.FakePort);
        using var api = new ApiClient(_options.MainApiUrl, _options.AdminKey, _options.Concurrency * 2);
        await api.WaitHealthyAsync(TimeSpan.FromSeconds(90), _options.ApiPid);
        await using var db = new BenchDatabase(_options.ConnectionString);
        var pgVersion = await db.ScalarTextAsync("SELECT version()");
        var pgSettings = await db.SettingsAsync();
        Log($"PostgreSQL: {pgVersion}");

        var run = Guid.NewGuid().ToString("N")[..8];
        var ingestTenant = await api.CreateTenantAsync("Bench ingest (reply off)", "off", $"bench-ingest-{run}", upstreams.BaseAddress);
        var replyTenant = await api.CreateTenantAsync("Bench replies (ai)", "ai", $"bench-reply-{run}", upstreams.BaseAddress);
        var seedTenant = await api.CreateTenantAsync("Bench existing data", "off", $"bench-seed-{run}", upstreams.BaseAddress);

        var ingestBodies = WebhookBodies.Load(ingestTenant.Instance);
        var ingest = new IngestBenchmark(api, ingestTenant, ingestBodies, _options);
        using var pgbench = await BaselineAsync(db, ingestBodies);

        // a. Ingest on a fresh database (with --compare-to: the comparison's rounds).
        var (fresh, unprepared, comparison) = await IngestSectionAsync(db, upstreams, ingest, pgbench, ingestTenant);
        var memory = (Hwm: Hwm(), Rss: _options.ApiPid is { } pid ? ProcFs.StatusKb(pid, "VmRSS") : null);

        // b. Reply overhead.
        Log($"b. reply overhead: {_options.ReplyRate:0.#} webhooks/s for {_options.ReplyDuration.TotalSeconds:0.#} s (open loop, one new chat each)");
        var replies = new ReplyOverheadBenchmark(api, replyTenant, WebhookBodies.Load(replyTenant.Instance), upstreams, _options);
        var warm = await replies.RunAsync(Math.Min(10, _options.ReplyRate), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        if (warm.Replied == 0) Log($"   warning: no reply arrived during the warm-up ({string.Join("; ", warm.ErrorSamples)})");
        var reply = await replies.RunAsync(_options.ReplyRate, _options.ReplyDuration, TimeSpan.FromSeconds(30));
        Log(string.Create(CultureInfo.InvariantCulture,
            $"   {reply.Replied}/{reply.Accepted} replied, overhead p50 {reply.Overhead.P50:0.0} ms p99 {reply.Overhead.P99:0.0} ms max {reply.Overhead.Max:0.0} ms; webhook p50 {reply.Webhook.P50:0.0} ms p99 {reply.Webhook.P99:0.0} ms; missing {reply.Missing}, double sends {reply.DoubleSends}"));

        // c. Growth: the same pairs with existing data of another tenant.
        var growth = new List<LevelResult>();
        foreach (var level in _options.Growth)
        {
            Log($"c. growth: {level.Label}: seeding");
            await db.TruncateChatDataAsync();
            var seedTime = await db.SeedAsync(seedTenant, level.Sessions, level.Messages);
            Log($"   seeded in {seedTime.TotalSeconds:0.0} s");
            growth.Add(await MeasureLevelAsync(level.Label, seedTime, db, ingest, pgbench, ingestTenant));
        }

        // The memory section covers sections a to c; the burst runs on API processes of its own and reports its own peak.
        var hwmAtEnd = Hwm();

        // e. The burst.
        var burst = _options.BurstChats > 0 || _options.BurstCustomers > 0 ? await new BurstBenchmark(_options, upstreams, db).RunAsync() : null;

        var results = new BenchmarkResults(
            startedAt,
            clock.Elapsed,
            machine,
            pgVersion,
            pgSettings,
            fresh,
            unprepared,
            reply,
            growth,
            new MemoryResult(
                memory.Hwm,
                fresh.Pairs.Max(p => p.Api.PeakRssKb),
                (long)fresh.Pairs.Average(p => p.Api.MeanRssKb),
                memory.Rss,
                hwmAtEnd),
            burst)
        {
            Comparison = comparison,
        };
        return results;
    }

    /// <summary>Section a alone, or with --compare-to the comparison's rounds alone (scripts/bench.sh --ingest-only).</summary>
    public async Task<IngestOnlyResults> RunIngestOnlyAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        Log($"machine: {machine.CpuModel}, {machine.LogicalCpus} CPUs, {machine.Memory}, load {machine.LoadAverage}");
        await using var upstreams = await FakeUpstreams.StartAsync(_options.FakePort);
        using var api = new ApiClient(_options.MainApiUrl, _options.AdminKey, _options.Concurrency * 2);
        await api.WaitHealthyAsync(TimeSpan.FromSeconds(90), _options.ApiPid);
        await using var db = new BenchDatabase(_options.ConnectionString);
        var pgVersion = await db.ScalarTextAsync("SELECT version()");
        var pgSettings = await db.SettingsAsync();
        Log($"PostgreSQL: {pgVersion}");

        var run = Guid.NewGuid().ToString("N")[..8];
        var ingestTenant = await api.CreateTenantAsync("Bench ingest (reply off)", "off", $"bench-ingest-{run}", upstreams.BaseAddress);
        var ingestBodies = WebhookBodies.Load(ingestTenant.Instance);
        var ingest = new IngestBenchmark(api, ingestTenant, ingestBodies, _options);
        using var pgbench = await BaselineAsync(db, ingestBodies);
        var (fresh, unprepared, comparison) = await IngestSectionAsync(db, upstreams, ingest, pgbench, ingestTenant);
        return new IngestOnlyResults(startedAt, clock.Elapsed, machine, pgVersion, pgSettings, fresh, unprepared, comparison);
    }

    /// <summary>The fixed pgbench baseline in a database of its own, with the ingest load's raw JSON body and text.</summary>
    private async Task<PgBenchRunner> BaselineAsync(BenchDatabase db, WebhookBodies ingestBodies)
    {
        await PgBenchRunner.CreateBaselineAsync(db, _options.BaselineDatabase, _options.ConnectionString);
        var rawJson = ingestBodies.Body(WebhookBodies.MessageId(0, 0), WebhookBodies.Number(6, 1), DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return new PgBenchRunner(_options, _options.BaselineDatabase, rawJson, ingestBodies.Text);
    }

    /// <summary>Section a: pairs of HybridFlow and the baseline on a fresh database, or with --compare-to the A B baseline rounds; then pgbench -M extended.</summary>
    private async Task<(LevelResult Fresh, PgBenchResult Unprepared, IngestComparison? Comparison)> IngestSectionAsync(
        BenchDatabase db, FakeUpstreams upstreams, IngestBenchmark ingest, PgBenchRunner pgbench, BenchTenant ingestTenant)
    {
        LevelResult fresh;
        IngestComparison? comparison = null;
        if (_options.Compare)
        {
            Log($"a. ingest: {_options.ThisLabel} against {_options.CompareLabel}, {_options.Rounds} round(s) of {_options.Duration.TotalSeconds:0.#} s each (after {_options.Warmup.TotalSeconds:0.#} s warm-up): this API, the other API, the fixed pgbench baseline; {_options.Concurrency} connections");
            var messagesAtStart = await db.CountAsync("SELECT count(*) FROM messages");
            comparison = await new IngestComparisonRun(_options, upstreams).RunAsync(ingest, db, ingestTenant, db, pgbench);
            // After the warm-up the rounds start from an empty database.
            if (_options.InitialWarmup > TimeSpan.Zero) messagesAtStart = 0;
            fresh = new LevelResult("fresh database", messagesAtStart, 0, await db.CountAsync("SELECT count(*) FROM messages"), null, comparison.ThisPairs);
        }
        else
        {
            Log($"a. ingest: {_options.Pairs} pair(s) of {_options.Duration.TotalSeconds:0.#} s HybridFlow (after {_options.Warmup.TotalSeconds:0.#} s warm-up) + {_options.Duration.TotalSeconds:0.#} s pgbench on the fixed baseline, {_options.Concurrency} connections");
            if (_options.InitialWarmup > TimeSpan.Zero)
            {
                var warmup = await ingest.RunAsync(_options.InitialWarmup, TimeSpan.FromSeconds(1));
                Log($"   warm-up: {warmup.AcceptedTotal} deliveries in {_options.InitialWarmup.TotalSeconds + 1:0} s");
                // Section a starts from an empty database, as its name says.
                await db.TruncateChatDataAsync();
                await db.VacuumAnalyzeAsync();
            }
            fresh = await MeasureLevelAsync("fresh database", null, db, ingest, pgbench, ingestTenant);
        }

        // The same pgbench transaction without prepared statements (-M extended): parsed and planned every time, as
        // Npgsql sends commands unless they are prepared. It shows how much of the gap preparation alone is worth.
        await db.CheckpointAsync();
        var unprepared = await pgbench.RunAsync(_options.Duration, "extended");
        Log(string.Create(CultureInfo.InvariantCulture,
            $"   pgbench -M extended (no prepared statements): {unprepared.Tps:0} tps, {unprepared.Tps / fresh.MedianTps:0.00} of -M prepared; per transaction {unprepared.Cpu.PerOperation(unprepared.Transactions, "pgbench")}"));
        return (fresh, unprepared, comparison);
    }

    /// <summary>Section e alone (scripts/bench.sh --burst-only).</summary>
    public async Task<BurstOnlyResults> RunBurstOnlyAsync()
    {
        var startedAt = DateTimeOffset.UtcNow;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var machine = MachineInfo.Read();
        Log($"machine: {machine.CpuModel}, {machine.LogicalCpus} CPUs, {machine.Memory}, load {machine.LoadAverage}");
        await using var upstreams = await FakeUpstreams.StartAsync(_options.FakePort);
        await using var db = new BenchDatabase(_options.ConnectionString);
        var pgVersion = await db.ScalarTextAsync("SELECT version()");
        var pgSettings = await db.SettingsAsync();
        Log($"PostgreSQL: {pgVersion}");
        var burst = await new BurstBenchmark(_options, upstreams, db).RunAsync();
        return new BurstOnlyResults(startedAt, clock.Elapsed, machine, pgVersion, pgSettings, burst);
    }

    private long? Hwm() => _options.ApiPid is { } pid ? ProcFs.StatusKb(pid, "VmHWM") : null;

    private async Task<LevelResult> MeasureLevelAsync(string label, TimeSpan? seedTime, BenchDatabase db, IngestBenchmark ingest, PgBenchRunner pgbench, BenchTenant ingestTenant)
    {
        var messagesAtStart = await db.CountAsync("SELECT count(*) FROM messages");
        var sessionsAtStart = await db.CountAsync("SELECT count(*) FROM sessions");
        // The baseline starts every data size from its own empty tables: it is the same reference throughout.
        await pgbench.ResetAsync();
        var pairs = new List<PairResult>();
        for (var i = 1; i <= _options.Pairs; i++)
        {
            var load = MachineInfo.LoadAverageNow();
            await db.CheckpointAsync();
            var storedBefore = await db.CountAsync("SELECT count(*) FROM messages WHERE instance_id = $1", ingestTenant.InstanceId);
            var api = await ingest.RunAsync(_options.Warmup, _options.Duration);
            var stored = await db.CountAsync("SELECT count(*) FROM messages WHERE instance_id = $1", ingestTenant.InstanceId) - storedBefore;
            await db.CheckpointAsync();
            var pg = await pgbench.RunAsync(_options.Duration);
            var pair = new PairResult(i, load, api, stored, pg);
            pairs.Add(pair);
            Log(string.Create(CultureInfo.InvariantCulture,
                $"   pair {i}/{_options.Pairs}: HybridFlow {api.RequestsPerSecond:0} rps (p50 {api.Latency.P50:0.0} ms, p99 {api.Latency.P99:0.0} ms, {api.Errors} errors) | pgbench {pg.Tps:0} tps (p50 {pg.Latency.P50:0.0} ms, p99 {pg.Latency.P99:0.0} ms) | ratio {pair.Ratio:0.00}"));
            Log($"      CPU during HybridFlow: {api.Cpu.Describe("load generator")}; per delivery {api.Cpu.PerOperation(api.Completed, "load generator")}{GroupSize(api)}");
            Log($"      CPU during pgbench:    {pg.Cpu.Describe("pgbench")}; per transaction {pg.Cpu.PerOperation(pg.Transactions, "pgbench")}");
            if (stored < api.AcceptedTotal)
                Log($"      warning: {api.AcceptedTotal} deliveries answered 200 but only {stored} messages stored");
            foreach (var sample in api.ErrorSamples) Log($"      error: {sample}");
        }
        var messagesAtEnd = await db.CountAsync("SELECT count(*) FROM messages");
        var result = new LevelResult(label, messagesAtStart, sessionsAtStart, messagesAtEnd, seedTime, pairs);
        Log(string.Create(CultureInfo.InvariantCulture,
            $"   {label}: median ratio {result.MedianRatio:0.00} (HybridFlow {result.MedianRps:0} rps, pgbench {result.MedianTps:0} tps, HybridFlow p99 {result.MedianP99:0.0} ms)"));
        return result;
    }

    /// <summary>"; 7.9 webhooks per transaction": how many webhooks shared each commit (group commit), when the API reports it.</summary>
    public static string GroupSize(IngestResult run) =>
        run.WebhooksPerTransaction is { } n ? string.Create(CultureInfo.InvariantCulture, $"; {n:0.0} webhooks per transaction") : "";

    public static void Log(string line) =>
        Console.WriteLine($"[{DateTime.Now.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}] {line}");
}
