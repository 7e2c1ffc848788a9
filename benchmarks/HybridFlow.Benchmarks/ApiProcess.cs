using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace HybridFlow.Benchmarks;

/// <summary>
/// An API process of the benchmark's own, started through the launcher scripts/bench.sh writes
/// (<c>start-api.sh PORT DATABASE [NAME=VALUE...]</c>: the published API with the run's settings, the extra
/// settings last), on a free loopback port, its output in a log file. Disposing it stops it: SIGTERM, then SIGKILL.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private ApiProcess(Process process, StreamWriter log, Uri url, string logPath)
    {
        _process = process;
        _log = log;
        Url = url;
        LogPath = logPath;
    }

    public Uri Url { get; }
    public int Pid => _process.Id;
    public string LogPath { get; }

    public static ApiProcess Start(string launcher, string database, IReadOnlyList<string> settings, string logPath)
    {
        var port = FreePort();
        var start = new ProcessStartInfo(launcher)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        start.ArgumentList.Add(database);
        foreach (var setting in settings) start.ArgumentList.Add(setting);

        var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var process = new Process { StartInfo = start };
        void Write(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null) return;
            lock (log) log.WriteLine(e.Data);
        }
        process.OutputDataReceived += Write;
        process.ErrorDataReceived += Write;
        // The launcher execs the API, so this pid is the API's (for RSS).
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ApiProcess(process, log, new Uri($"http://127.0.0.1:{port}/"), logPath);
    }

    /// <summary>Lines of the log at level Error or Fatal (Serilog's compact JSON), and the first of them.</summary>
    /// <summary>The error lines of the log after the first <paramref name="skip"/> (those of an earlier measurement).</summary>
    public (int Count, string? First) LoggedErrors(int skip = 0)
    {
        string[] lines;
        lock (_log) lines = File.ReadAllLines(LogPath);
        var errors = lines.Where(l => l.Contains("\"@l\":\"Error\"", StringComparison.Ordinal) || l.Contains("\"@l\":\"Fatal\"", StringComparison.Ordinal)).Skip(skip).ToList();
        return (errors.Count, errors.FirstOrDefault());
    }

    public IEnumerable<string> LastLogLines(int count)
    {
        lock (_log) return File.ReadAllLines(LogPath).TakeLast(count).ToList();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            using (var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", Pid.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
                if (kill is not null) await kill.WaitForExitAsync();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                BenchmarkRun.Log($"   the API process {Pid} did not stop within 15 s; killing it");
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
