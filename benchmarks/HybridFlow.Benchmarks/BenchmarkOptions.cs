using System.Globalization;

namespace HybridFlow.Benchmarks;

/// <summary>One size of existing data for the growth runs.</summary>
public sealed record GrowthLevel(long Messages, long Sessions)
{
    public string Label => $"{Format(Messages)} messages, {Format(Sessions)} sessions";

    private static string Format(long n) => n switch
    {
        >= 1_000_000 when n % 1_000_000 == 0 => $"{n / 1_000_000}M",
        >= 1_000 when n % 1_000 == 0 => $"{n / 1_000}k",
        _ => n.ToString(CultureInfo.InvariantCulture),
    };
}

/// <summary>Command-line settings. scripts/bench.sh passes the wiring; everything else has defaults (and --quick ones).</summary>
public sealed record BenchmarkOptions
{
    /// <summary>The API sections a to d run against (not needed with --burst-only).</summary>
    public Uri? ApiUrl { get; init; }
    public required string AdminKey { get; init; }
    public required string ConnectionString { get; init; }
    public required int FakePort { get; init; }
    public string PgBench { get; init; } = "";
    public required string OutputPath { get; init; }
    public int? ApiPid { get; init; }
    public int? PostmasterPid { get; init; }
    public string ApiEnvironment { get; init; } = "";
    public bool Quick { get; init; }
    public bool BurstOnly { get; init; }

    public int Concurrency { get; init; } = 32;
    public int Chats { get; init; } = 10_000;
    public TimeSpan InitialWarmup { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public int Pairs { get; init; } = 3;
    public int PgBenchThreads { get; init; } = 2;
    public double ReplyRate { get; init; } = 20;
    public TimeSpan ReplyDuration { get; init; } = TimeSpan.FromSeconds(20);
    public IReadOnlyList<GrowthLevel> Growth { get; init; } = [new(10_000, 1_000), new(1_000_000, 100_000)];
    public int BurstChats { get; init; } = 200;
    public TimeSpan BurstLatency { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan BurstOtherAfter { get; init; } = TimeSpan.FromSeconds(0.5);
    public string? ApiLauncher { get; init; }
    public string BurstDatabase { get; init; } = "hybridflow_bench_burst";
    public int BurstTenants { get; init; } = 50;
    public int BurstCustomers { get; init; } = 1000;
    public TimeSpan BurstSpread { get; init; } = TimeSpan.FromSeconds(1);
    public IReadOnlyList<string> BurstTenantSettings { get; init; } = [];
    public IReadOnlyList<string>? BurstCompareSettings { get; init; }
    public int BurstRounds { get; init; } = 1;

    /// <summary>Only the ingest section (with --compare-to: only the comparison rounds), for quick iteration.</summary>
    public bool IngestOnly { get; init; }
    /// <summary>The fixed baseline's own database, created fresh by the benchmark (never from migrations/).</summary>
    public string BaselineDatabase { get; init; } = "hybridflow_bench_baseline";
    /// <summary>Starts the other commit's API (same form as --api-launcher); set: the ingest comparison runs.</summary>
    public string? CompareLauncher { get; init; }
    /// <summary>The other commit as the report names it (e.g. 75578b1), and this tree.</summary>
    public string CompareLabel { get; init; } = "other";
    public string ThisLabel { get; init; } = "this tree";
    public string CompareDatabase { get; init; } = "hybridflow_bench_compare";
    /// <summary>A B baseline rounds of the comparison (each with its warm-ups); also section a's pairs then.</summary>
    public int Rounds { get; init; } = 3;

    public bool Compare => !string.IsNullOrEmpty(CompareLauncher);

    public Uri MainApiUrl => ApiUrl ?? throw new InvalidOperationException("--api-url is required unless --burst-only.");

    public const string Usage = """
        HybridFlow.Benchmarks: run it through scripts/bench.sh, which starts PostgreSQL and the API and passes the wiring.

        Wiring (set by scripts/bench.sh):
          --api-url URL          the running API                      --admin-key KEY (or env HYBRIDFLOW_BENCH_ADMIN_KEY)
          --connection CS        Npgsql connection string of the API's database (or env HYBRIDFLOW_BENCH_DB)
          --fake-port N          port for the fake Evolution + OpenAI server (the API's OPENAI_BASE_URL points there)
          --pgbench PATH         pgbench binary                       --output PATH   the Markdown report
          --api-pid N            API process (peak RSS, CPU)          --postmaster-pid N  PostgreSQL (CPU)
          --api-env TEXT         the API's settings, for the report
          --api-launcher PATH    starts an API process of the burst's own: PATH PORT DATABASE [NAME=VALUE...]
          --burst-database NAME  the database those processes get, created fresh for each (hybridflow_bench_burst)
          --baseline-database NAME  the fixed pgbench baseline's own database, created fresh (hybridflow_bench_baseline)
          --compare-launcher PATH   starts the other commit's API (as --api-launcher); runs the A B comparison
          --compare-label TEXT   the other commit's name (75578b1)    --this-label TEXT  this tree's name
          --compare-database NAME   the other API's database, created fresh (hybridflow_bench_compare)

        Settings:
          --quick                ~1 minute smoke run (short runs, one pair, small growth levels)
          --concurrency N        concurrent connections for ingest and pgbench clients (32)
          --chats N              distinct chats the ingest load spreads over (10000)
          --initial-warmup S     one-off load before the first run, so the API's JIT has settled (30; quick 3)
          --warmup S             API warm-up before each measured ingest run, excluded (3; quick 2)
          --seconds S            length of each measured ingest run and of each pgbench run (10; quick 4)
          --pairs N              back-to-back HybridFlow/pgbench pairs per data size; the median ratio counts (3; quick 1)
          --pgbench-threads N    pgbench -j (2)
          --reply-rate N         webhooks per second for the reply-overhead run (20)
          --reply-seconds S      length of the reply-overhead run (20; quick 5)
          --growth LIST          data sizes as messages:sessions,... (10000:1000,1000000:100000; quick 10000:1000,100000:10000)
          --burst-only           run only section e, the burst (no --api-url or --pgbench needed)
          --burst-chats N        chats of one tenant that write at once; 0 skips the burst (200; quick 40)
          --burst-latency S      how long the fake model takes per answer during the burst (2)
          --burst-other-after S  when the other tenant's customer writes, after the burst started (0.5)
          --ingest-only          run only section a (with --compare-launcher: only the comparison rounds)
          --rounds N             rounds of the comparison: this API, the other API, the baseline (3)
          --burst-customers N    customers of many tenants who write within --burst-spread; 0 skips that case (1000; quick 200)
          --burst-tenants N      the tenants they belong to, an instance each (50; quick 10)
          --burst-spread S       the time their webhooks are spread evenly over (1)
          --burst-api-settings L NAME=VALUE,... added to that API's settings, to try a change (none: the defaults)
          --burst-compare-settings L  a second set (NAME=VALUE,...; "defaults" for none) run alternately with the first
          --burst-rounds N       runs of that burst (of each set, alternating); the report shows the median (1)
        """;

    public static BenchmarkOptions Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var quick = false;
        var burstOnly = false;
        var ingestOnly = false;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (name is "--help" or "-h") throw new ArgumentException(Usage);
            if (name is "--quick" or "--burst-only")
            {
                quick |= name == "--quick";
                burstOnly |= name == "--burst-only";
                continue;
            }
            if (name is "--ingest-only")
            {
                ingestOnly = true;
                continue;
            }
            if (!name.StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"Unexpected argument '{name}'.\n\n{Usage}");
            values[name[2..]] = args[++i];
        }

        string? Get(string name, string? env = null) =>
            values.TryGetValue(name, out var v) ? v : env is null ? null : Environment.GetEnvironmentVariable(env);
        string Required(string name, string? env = null) =>
            Get(name, env) is { Length: > 0 } v ? v : throw new ArgumentException($"--{name} is required.\n\n{Usage}");
        int? Int(string name) => Get(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : null;
        double? Number(string name) => Get(name) is { } v ? double.Parse(v, CultureInfo.InvariantCulture) : null;
        TimeSpan? Seconds(string name) => Number(name) is { } s ? TimeSpan.FromSeconds(s) : null;

        var defaults = quick
            ? new { InitialWarmup = 3.0, Warmup = 2.0, Duration = 4.0, Pairs = 1, ReplySeconds = 5.0, Growth = "10000:1000,100000:10000", BurstChats = 40 }
            : new { InitialWarmup = 30.0, Warmup = 3.0, Duration = 10.0, Pairs = 3, ReplySeconds = 20.0, Growth = "10000:1000,1000000:100000", BurstChats = 200 };

        var options = new BenchmarkOptions
        {
            ApiUrl = burstOnly && Get("api-url") is null ? null : new Uri(Required("api-url").TrimEnd('/') + "/"),
            AdminKey = Required("admin-key", "HYBRIDFLOW_BENCH_ADMIN_KEY"),
            ConnectionString = Required("connection", "HYBRIDFLOW_BENCH_DB"),
            FakePort = int.Parse(Required("fake-port"), CultureInfo.InvariantCulture),
            PgBench = burstOnly ? Get("pgbench") ?? "" : Required("pgbench"),
            OutputPath = Path.GetFullPath(Required("output")),
            ApiPid = Int("api-pid"),
            PostmasterPid = Int("postmaster-pid"),
            ApiEnvironment = Get("api-env") ?? "",
            Quick = quick,
            BurstOnly = burstOnly,
            Concurrency = Int("concurrency") ?? 32,
            Chats = Int("chats") ?? 10_000,
            InitialWarmup = Seconds("initial-warmup") ?? TimeSpan.FromSeconds(defaults.InitialWarmup),
            Warmup = Seconds("warmup") ?? TimeSpan.FromSeconds(defaults.Warmup),
            Duration = Seconds("seconds") ?? TimeSpan.FromSeconds(defaults.Duration),
            Pairs = Int("pairs") ?? defaults.Pairs,
            PgBenchThreads = Int("pgbench-threads") ?? 2,
            ReplyRate = Number("reply-rate") ?? 20,
            ReplyDuration = Seconds("reply-seconds") ?? TimeSpan.FromSeconds(defaults.ReplySeconds),
            Growth = ParseGrowth(Get("growth") ?? defaults.Growth),
            BurstChats = Int("burst-chats") ?? defaults.BurstChats,
            BurstLatency = Seconds("burst-latency") ?? TimeSpan.FromSeconds(2),
            BurstOtherAfter = Seconds("burst-other-after") ?? TimeSpan.FromSeconds(0.5),
            ApiLauncher = Get("api-launcher"),
            BurstDatabase = Get("burst-database") ?? "hybridflow_bench_burst",
            IngestOnly = ingestOnly,
            BaselineDatabase = Get("baseline-database") ?? "hybridflow_bench_baseline",
            CompareLauncher = Get("compare-launcher"),
            CompareLabel = Get("compare-label") ?? "other",
            ThisLabel = Get("this-label") ?? "this tree",
            CompareDatabase = Get("compare-database") ?? "hybridflow_bench_compare",
            Rounds = Int("rounds") ?? 3,
            BurstTenants = Int("burst-tenants") ?? (quick ? 10 : 50),
            BurstCustomers = Int("burst-customers") ?? (quick ? 200 : 1000),
            BurstSpread = Seconds("burst-spread") ?? TimeSpan.FromSeconds(1),
            BurstTenantSettings = (Get("burst-api-settings") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            BurstCompareSettings = Get("burst-compare-settings") is { } compare
                ? compare.Trim() == "defaults" ? [] : compare.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : null,
            BurstRounds = Int("burst-rounds") ?? 1,
        };
        options.Validate();
        return options;
    }

    private static List<GrowthLevel> ParseGrowth(string text)
    {
        if (text.Trim() is "" or "none") return [];
        return [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(part =>
        {
            var pieces = part.Split(':');
            if (pieces.Length != 2) throw new ArgumentException($"--growth takes messages:sessions pairs, got '{part}'.");
            return new GrowthLevel(long.Parse(pieces[0], CultureInfo.InvariantCulture), long.Parse(pieces[1], CultureInfo.InvariantCulture));
        })];
    }

    private void Validate()
    {
        if (Concurrency is < 1 or > 256) throw new ArgumentException("--concurrency must be between 1 and 256.");
        if (Chats < 1) throw new ArgumentException("--chats must be positive.");
        if (Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromMinutes(5)) throw new ArgumentException("--seconds must be between 1 and 300.");
        if (Warmup < TimeSpan.Zero || Warmup > TimeSpan.FromMinutes(1)) throw new ArgumentException("--warmup must be between 0 and 60.");
        if (InitialWarmup < TimeSpan.Zero || InitialWarmup > TimeSpan.FromMinutes(2)) throw new ArgumentException("--initial-warmup must be between 0 and 120.");
        if (Pairs is < 1 or > 20) throw new ArgumentException("--pairs must be between 1 and 20.");
        if (PgBenchThreads < 1 || PgBenchThreads > Concurrency) throw new ArgumentException("--pgbench-threads must be between 1 and --concurrency.");
        if (ReplyRate is <= 0 or > 1000) throw new ArgumentException("--reply-rate must be between 0 and 1000.");
        if (ReplyDuration < TimeSpan.FromSeconds(1) || ReplyDuration > TimeSpan.FromMinutes(5)) throw new ArgumentException("--reply-seconds must be between 1 and 300.");
        if (BurstChats is < 0 or > 5_000) throw new ArgumentException("--burst-chats must be between 0 and 5000.");
        if (BurstOnly && BurstChats == 0 && BurstCustomers == 0) throw new ArgumentException("--burst-only needs --burst-chats or --burst-customers of at least 1.");
        if (BurstCustomers is < 0 or > 5_000) throw new ArgumentException("--burst-customers must be between 0 and 5000.");
        if (BurstCustomers > 0 && (BurstTenants < 1 || BurstTenants > BurstCustomers)) throw new ArgumentException("--burst-tenants must be between 1 and --burst-customers.");
        if (BurstSpread < TimeSpan.Zero || BurstSpread > TimeSpan.FromSeconds(60)) throw new ArgumentException("--burst-spread must be between 0 and 60.");
        if (BurstTenantSettings.Any(s => !s.Contains('=', StringComparison.Ordinal))) throw new ArgumentException("--burst-api-settings takes NAME=VALUE,...");
        if (BurstCompareSettings?.Any(s => !s.Contains('=', StringComparison.Ordinal)) == true) throw new ArgumentException("--burst-compare-settings takes NAME=VALUE,... or defaults");
        if (BurstRounds is < 1 or > 20) throw new ArgumentException("--burst-rounds must be between 1 and 20.");
        if (BurstCustomers > 0 && string.IsNullOrEmpty(ApiLauncher)) throw new ArgumentException("The burst of many tenants needs --api-launcher (scripts/bench.sh passes it); --burst-customers 0 skips it.");
        // bench.sh gives the API LLM_TIMEOUT=60: the model must answer well inside it.
        if (BurstLatency < TimeSpan.Zero || BurstLatency > TimeSpan.FromSeconds(30)) throw new ArgumentException("--burst-latency must be between 0 and 30.");
        if (BurstOtherAfter < TimeSpan.Zero || BurstOtherAfter > TimeSpan.FromSeconds(30)) throw new ArgumentException("--burst-other-after must be between 0 and 30.");
        if (Rounds is < 1 or > 20) throw new ArgumentException("--rounds must be between 1 and 20.");
        if (IngestOnly && BurstOnly) throw new ArgumentException("--ingest-only and --burst-only exclude each other.");
        if (Compare && BurstOnly) throw new ArgumentException("The comparison (--compare-to) runs the ingest section, which --burst-only skips.");
        if (BurstChats > 0 && !IngestOnly && string.IsNullOrEmpty(ApiLauncher)) throw new ArgumentException("The burst needs --api-launcher (scripts/bench.sh passes it); --burst-chats 0 skips it.");
        foreach (var level in Growth)
        {
            if (level.Sessions < 1 || level.Messages < level.Sessions || level.Messages > 50_000_000)
                throw new ArgumentException($"--growth level {level.Messages}:{level.Sessions} needs 1 <= sessions <= messages <= 50M.");
        }
    }

    /// <summary>The settings as the report lists them.</summary>
    public IEnumerable<(string Name, string Value)> Describe()
    {
        yield return ("mode", Quick ? "quick (smoke run; figures are indicative only)" : "full");
        yield return ("concurrent connections (ingest and pgbench clients)", Concurrency.ToString(CultureInfo.InvariantCulture));
        yield return ("chats the load spreads over", Chats.ToString("N0", CultureInfo.InvariantCulture));
        yield return ("one-off API warm-up before the first run (excluded)", $"{InitialWarmup.TotalSeconds:0.#} s");
        yield return ("warm-up before each HybridFlow run (excluded)", $"{Warmup.TotalSeconds:0.#} s");
        yield return ("each measured run (HybridFlow and pgbench)", $"{Duration.TotalSeconds:0.#} s");
        yield return ("back-to-back pairs per data size", Pairs.ToString(CultureInfo.InvariantCulture));
        yield return ("pgbench", $"-c {Concurrency} -j {PgBenchThreads} -M prepared -n -T {Duration.TotalSeconds:0}");
        yield return ("pgbench baseline", $"fixed: the benchmark's own tables in `{BaselineDatabase}` (no triggers; only primary keys and the two unique constraints), not our schema");
        if (Compare) yield return ("comparison", $"{ThisLabel} against {CompareLabel}: {Rounds} round(s) of this API, the other API, the baseline (section a's pairs are these rounds)");
        yield return ("reply-overhead load", $"{ReplyRate:0.#} webhooks/s for {ReplyDuration.TotalSeconds:0.#} s, open loop, one new chat each");
        yield return ("growth data sizes", Growth.Count == 0 ? "none" : string.Join("; ", Growth.Select(g => g.Label)));
        yield return ("burst", BurstChats == 0 ? "not run" : string.Create(CultureInfo.InvariantCulture,
            $"{BurstChats} chats of one tenant at once, model answers in {BurstLatency.TotalSeconds:0.##} s, another tenant's customer {BurstOtherAfter.TotalSeconds:0.##} s later"));
        yield return ("burst of many tenants", BurstCustomers == 0 ? "not run" : string.Create(CultureInfo.InvariantCulture,
            $"{BurstCustomers} customers of {BurstTenants} tenants within {BurstSpread.TotalSeconds:0.##} s, model answers in {BurstLatency.TotalSeconds:0.##} s{(BurstTenantSettings.Count > 0 ? ", API with " + string.Join(' ', BurstTenantSettings) : "")}"));
    }
}
