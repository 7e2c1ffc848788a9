using System.Globalization;

namespace HybridFlow.Benchmarks;

/// <summary>CPU seconds used by each party during one measured window, and how busy the whole machine was.</summary>
public sealed record CpuUsage(double Seconds, double Api, double Postgres, double Client, double PgBench, double MachineBusy, int CoreCount)
{
    /// <summary>CPU time not accounted to the API, PostgreSQL, the load generator or pgbench: other programs on the machine.</summary>
    public double Other => Math.Max(0, MachineBusy - Api - Postgres - Client - PgBench);

    /// <summary>Average cores in use, e.g. "API 1.10, PG 0.62, client 0.21, other 0.02 of 2".</summary>
    public string Describe(string clientName) =>
        string.Create(CultureInfo.InvariantCulture,
            $"API {Cores(Api)}, PostgreSQL {Cores(Postgres)}, {clientName} {Cores(Client + PgBench)}, other {Cores(Other)} (machine {Cores(MachineBusy)} of {CoreCount})");

    /// <summary>CPU milliseconds per operation, e.g. "API 0.78 ms + PostgreSQL 1.62 ms + client 0.10 ms".</summary>
    public string PerOperation(long operations, string clientName)
    {
        if (operations <= 0) return "?";
        string Ms(double cpuSeconds) => (cpuSeconds * 1000 / operations).ToString("0.00", CultureInfo.InvariantCulture) + " ms";
        return Api / Seconds > 0.05
            ? $"API {Ms(Api)} + PostgreSQL {Ms(Postgres)} + {clientName} {Ms(Client + PgBench)}"
            : $"PostgreSQL {Ms(Postgres)} + {clientName} {Ms(Client + PgBench)}";
    }

    private string Cores(double cpuSeconds) => Seconds > 0 ? (cpuSeconds / Seconds).ToString("0.00", CultureInfo.InvariantCulture) : "?";
}

/// <summary>Reads /proc: process CPU and memory, the PostgreSQL process tree, the machine's CPU counters.</summary>
public static class ProcFs
{
    // USER_HZ: 100 on every Linux architecture .NET runs on.
    private const double TicksPerSecond = 100.0;

    public sealed record Snapshot(double Api, double Postgres, double Client, double MachineBusy, DateTime At);

    public static Snapshot Take(int? apiPid, int? postmasterPid) => new(
        apiPid is { } a ? ProcessCpuSeconds(a, includeChildren: false) : 0,
        postmasterPid is { } p ? PostgresCpuSeconds(p) : 0,
        Environment.CpuUsage.TotalTime.TotalSeconds,
        MachineBusySeconds(),
        DateTime.UtcNow);

    public static CpuUsage Between(Snapshot start, Snapshot end, double pgbenchSeconds = 0) => new(
        (end.At - start.At).TotalSeconds,
        end.Api - start.Api,
        end.Postgres - start.Postgres,
        end.Client - start.Client,
        pgbenchSeconds,
        end.MachineBusy - start.MachineBusy,
        Environment.ProcessorCount);

    /// <summary>utime + stime of a process, optionally with its waited-for children's (cutime + cstime).</summary>
    public static double ProcessCpuSeconds(int pid, bool includeChildren)
    {
        var fields = StatFields(pid);
        if (fields is null) return 0;
        // After "pid (comm) ": index 0 is field 3 (state); utime is field 14, stime 15, cutime 16, cstime 17.
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        if (includeChildren) ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>
    /// The postmaster, its live backends, and (through cutime/cstime) the backends that already exited, since the
    /// postmaster reaps them: short-lived pgbench connections are counted too.
    /// </summary>
    public static double PostgresCpuSeconds(int postmasterPid)
    {
        var total = ProcessCpuSeconds(postmasterPid, includeChildren: true);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)) continue;
            var fields = StatFields(pid);
            // Field 4 (ppid) is index 1.
            if (fields is null || fields[1] != postmasterPid.ToString(CultureInfo.InvariantCulture)) continue;
            total += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / TicksPerSecond;
        }
        return total;
    }

    /// <summary>CPU seconds the whole machine spent not idle (all cores), from the first line of /proc/stat.</summary>
    public static double MachineBusySeconds()
    {
        try
        {
            var line = File.ReadLines("/proc/stat").First();
            var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8)
                .Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            // user nice system idle iowait irq softirq steal
            var busy = values[0] + values[1] + values[2] + values[5] + values[6] + values[7];
            return busy / TicksPerSecond;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>A field of /proc/PID/status in kB (VmRSS, VmHWM), or null when the process is gone.</summary>
    public static long? StatusKb(int pid, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (!line.StartsWith(field + ":", StringComparison.Ordinal)) continue;
                var number = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(number, CultureInfo.InvariantCulture);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return null;
    }

    public static bool IsAlive(int pid) => File.Exists($"/proc/{pid}/status");

    private static string[]? StatFields(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // comm may contain spaces and parentheses: the fields start after the last ')'.
            var close = text.LastIndexOf(')');
            return close < 0 ? null : text[(close + 2)..].Split(' ');
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>Samples the API's resident memory while a run goes on (VmRSS every 100 ms; VmHWM is the kernel's own peak).</summary>
public sealed class RssSampler : IAsyncDisposable
{
    private readonly int? _pid;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private long _maxKb;
    private long _sumKb;
    private int _samples;

    public RssSampler(int? pid)
    {
        _pid = pid;
        _loop = pid is null ? Task.CompletedTask : Task.Run(LoopAsync);
    }

    public long MaxKb => Interlocked.Read(ref _maxKb);
    public long MeanKb => _samples == 0 ? 0 : _sumKb / _samples;

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        do
        {
            if (ProcFs.StatusKb(_pid!.Value, "VmRSS") is { } kb)
            {
                if (kb > _maxKb) Interlocked.Exchange(ref _maxKb, kb);
                _sumKb += kb;
                _samples++;
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
