using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace HybridFlow.Benchmarks;

public sealed record PgBenchResult(double Tps, long Transactions, long Failed, LatencySummary Latency, CpuUsage Cpu);

/// <summary>
/// The fixed baseline: pgbench running the SQL a webhook of a reply_mode "off" tenant needs, in one transaction
/// (upsert the chat's session, insert the message deduplicated with ON CONFLICT, insert the timeline event), on
/// tables of the benchmark's own (<see cref="BaselineSchema"/>) in a database of their own: no triggers, no foreign
/// keys, no indexes beyond the primary keys and the two unique constraints the ON CONFLICTs use. They never come from
/// migrations/, so the baseline does not slow down (or speed up) with our schema. The message row carries the same
/// raw JSON body and text, and the chats are spread the same way as the HTTP load.
/// </summary>
public sealed partial class PgBenchRunner : IDisposable
{
    public const string Script = """
        -- One webhook of a reply_mode "off" tenant, on the fixed baseline tables (scripts/bench.sh; see docs/BENCHMARKS.md).
        \set chat random(1, :chats)
        \set msg random(1, 9000000000000000000)
        BEGIN;
        INSERT INTO sessions AS s (tenant_id, instance_id, chat_id, last_message_at, created_at, updated_at)
        VALUES (:tenant, :instance, '5511' || (600000000 + :chat) || '@s.whatsapp.net', now(), now(), now())
        ON CONFLICT (instance_id, chat_id) DO UPDATE SET last_message_at = EXCLUDED.last_message_at, updated_at = EXCLUDED.updated_at
        RETURNING id AS session_id \gset
        INSERT INTO messages (tenant_id, instance_id, session_id, provider_message_id, direction, message_type, text, raw, sent_at, created_at)
        VALUES (:tenant, :instance, :session_id, '3EB0' || lpad(:msg::text, 28, '0'), 'inbound', 'conversation', :text, :raw::jsonb, now(), now())
        ON CONFLICT (instance_id, provider_message_id) DO NOTHING
        RETURNING id AS message_id \gset
        INSERT INTO session_events (tenant_id, session_id, message_id, action, detail, created_at)
        VALUES (:tenant, :session_id, :message_id, 'recorded', NULL, now());
        END;
        """;

    /// <summary>
    /// The baseline's tables: the columns of 75578b1's sessions, messages and session_events that the transaction
    /// writes, frozen here on purpose. lz4 for the raw body, as the API's schema has had since V0004.
    /// </summary>
    public const string BaselineSchema = """
        CREATE TABLE sessions (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id bigint NOT NULL,
            instance_id bigint NOT NULL,
            chat_id text NOT NULL,
            last_message_at timestamptz,
            created_at timestamptz NOT NULL,
            updated_at timestamptz NOT NULL,
            CONSTRAINT sessions_instance_chat_key UNIQUE (instance_id, chat_id)
        );
        CREATE TABLE messages (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id bigint NOT NULL,
            instance_id bigint NOT NULL,
            session_id bigint NOT NULL,
            provider_message_id text NOT NULL,
            direction text NOT NULL,
            message_type text NOT NULL,
            text text,
            raw jsonb,
            sent_at timestamptz NOT NULL,
            created_at timestamptz NOT NULL,
            CONSTRAINT messages_instance_provider_message_key UNIQUE (instance_id, provider_message_id)
        );
        CREATE TABLE session_events (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            tenant_id bigint NOT NULL,
            session_id bigint NOT NULL,
            message_id bigint,
            action text NOT NULL,
            detail text,
            created_at timestamptz NOT NULL
        );
        DO $$
        BEGIN
            ALTER TABLE messages ALTER COLUMN raw SET COMPRESSION lz4;
        EXCEPTION WHEN feature_not_supported THEN
            NULL;
        END
        $$;
        """;

    /// <summary>The tenant and instance ids the baseline's rows carry (its tables have no tenants to point at).</summary>
    private const long BaselineTenant = 1;
    private const long BaselineInstance = 1;

    private readonly BenchmarkOptions _options;
    private readonly NpgsqlConnectionStringBuilder _connection;
    private readonly string _rawJson;
    private readonly string _text;
    private readonly string _directory;

    /// <param name="database">The baseline's own database, made with <see cref="CreateBaselineAsync"/>.</param>
    public PgBenchRunner(BenchmarkOptions options, string database, string rawJson, string text)
    {
        _options = options;
        _connection = new NpgsqlConnectionStringBuilder(options.ConnectionString) { Database = database };
        _rawJson = rawJson;
        _text = text;
        _directory = Directory.CreateTempSubdirectory("hybridflow-pgbench-").FullName;
        File.WriteAllText(ScriptPath, Script.ReplaceLineEndings("\n") + "\n");
    }

    private string ScriptPath => Path.Combine(_directory, "webhook.sql");

    /// <summary>Creates <paramref name="database"/> afresh (next to the API's) with <see cref="BaselineSchema"/>.</summary>
    public static async Task CreateBaselineAsync(BenchDatabase apiDatabase, string database, string apiConnectionString)
    {
        await apiDatabase.RecreateDatabaseAsync(database);
        await using var baseline = Open(apiConnectionString, database);
        await baseline.ExecuteAsync(BaselineSchema);
    }

    /// <summary>Empties the baseline's tables and vacuums them, so each data size's pgbench runs start alike.</summary>
    public async Task ResetAsync()
    {
        await using var baseline = Open(_options.ConnectionString, _connection.Database!);
        await baseline.ExecuteAsync("TRUNCATE session_events, messages, sessions RESTART IDENTITY");
        foreach (var table in new[] { "sessions", "messages", "session_events" })
            await baseline.ExecuteAsync($"VACUUM (ANALYZE) {table}");
    }

    private static BenchDatabase Open(string apiConnectionString, string database) =>
        new(new NpgsqlConnectionStringBuilder(apiConnectionString) { Database = database }.ConnectionString);

    /// <param name="protocol">pgbench -M: <c>prepared</c> (the baseline) or <c>extended</c> (parsed and planned every time).</param>
    public async Task<PgBenchResult> RunAsync(TimeSpan duration, string protocol = "prepared")
    {
        foreach (var old in Directory.EnumerateFiles(_directory, "pgb.*")) File.Delete(old);

        var info = new ProcessStartInfo(_options.PgBench)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };
        string[] arguments =
        [
            "-h", _connection.Host ?? "127.0.0.1",
            "-p", _connection.Port.ToString(CultureInfo.InvariantCulture),
            "-U", _connection.Username ?? "postgres",
            "-n", "-M", protocol,
            "-c", _options.Concurrency.ToString(CultureInfo.InvariantCulture),
            "-j", _options.PgBenchThreads.ToString(CultureInfo.InvariantCulture),
            "-T", Math.Max(1, (int)Math.Round(duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            "-f", ScriptPath,
            "-l", "--log-prefix=" + Path.Combine(_directory, "pgb"),
            "-D", $"tenant={BaselineTenant}",
            "-D", $"instance={BaselineInstance}",
            "-D", $"chats={_options.Chats}",
            "-D", $"text={_text}",
            "-D", $"raw={_rawJson}",
            _connection.Database!,
        ];
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        if (!string.IsNullOrEmpty(_connection.Password)) info.Environment["PGPASSWORD"] = _connection.Password;
        info.Environment["PGCLIENTENCODING"] = "UTF8";
        info.Environment["PGAPPNAME"] = "hybridflow-bench-pgbench";
        info.Environment["PGCONNECT_TIMEOUT"] = "10";

        var cpuStart = ProcFs.Take(_options.ApiPid, _options.PostmasterPid);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_options.PgBench}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();

        // pgbench's own CPU, read while it runs (its /proc entry is gone once it has exited).
        var pgbenchCpu = 0.0;
        using var bound = new CancellationTokenSource(duration + TimeSpan.FromSeconds(60));
        var exited = process.WaitForExitAsync(bound.Token);
        while (!exited.IsCompleted)
        {
            var seconds = ProcFs.ProcessCpuSeconds(process.Id, includeChildren: false);
            if (seconds > 0) pgbenchCpu = seconds;
            await Task.WhenAny(exited, Task.Delay(100));
        }
        try
        {
            await exited;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"pgbench did not finish within {duration.TotalSeconds + 60:0} s.");
        }
        await BackendsGoneAsync();
        var cpuEnd = ProcFs.Take(_options.ApiPid, _options.PostmasterPid);

        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"pgbench exited with {process.ExitCode}:\n{output}");

        var tps = TpsLine().Match(output);
        if (!tps.Success) throw new InvalidOperationException($"pgbench printed no tps line:\n{output}");
        var processed = ProcessedLine().Match(output);
        var failed = FailedLine().Match(output);

        return new PgBenchResult(
            double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture),
            processed.Success ? long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            failed.Success ? long.Parse(failed.Groups[1].Value, CultureInfo.InvariantCulture) : 0,
            ReadLatencies(),
            ProcFs.Between(cpuStart, cpuEnd, pgbenchCpu));
    }

    /// <summary>
    /// Waits (at most 3 s) until pgbench's backends have exited and the postmaster has reaped them: a backend's CPU
    /// counts through the postmaster's cutime only once reaped, and is in neither place while it exits.
    /// </summary>
    private async Task BackendsGoneAsync()
    {
        await using var db = Open(_options.ConnectionString, _connection.Database!);
        for (var i = 0; i < 30; i++)
        {
            if (await db.CountAsync("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'hybridflow-bench-pgbench'") == 0) break;
            await Task.Delay(100);
        }
        await Task.Delay(200);
    }

    /// <summary>pgbench -l writes one line per transaction: client_id transaction_no time_us script_no epoch epoch_us.</summary>
    private LatencySummary ReadLatencies()
    {
        var micros = new List<double>();
        foreach (var file in Directory.EnumerateFiles(_directory, "pgb.*"))
        {
            foreach (var line in File.ReadLines(file, Encoding.ASCII))
            {
                var fields = line.Split(' ');
                if (fields.Length >= 3 && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var us))
                    micros.Add(us / 1000.0);
            }
            File.Delete(file);
        }
        return LatencySummary.FromMilliseconds(micros);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsLine();

    [GeneratedRegex(@"number of transactions actually processed: (\d+)")]
    private static partial Regex ProcessedLine();

    [GeneratedRegex(@"number of failed transactions: (\d+)")]
    private static partial Regex FailedLine();

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
