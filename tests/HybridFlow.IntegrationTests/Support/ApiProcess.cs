using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// The API as a real OS process (the built HybridFlow.Api.dll) on a free loopback port, so tests can SIGKILL it
/// mid-flight and start another one on the same database.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<ApiProcess> StartAsync(IReadOnlyDictionary<string, string?> environment)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", Path.Combine(AppContext.BaseDirectory, "HybridFlow.Api.dll"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (key, value) in environment) info.Environment[key] = value;
        info.Environment["PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["ASPNETCORE_URLS"] = null;
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";

        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the API process.");
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => api.Append(e.Data);
        process.ErrorDataReceived += (_, e) => api.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        // Generous: a cold start (JIT, migrations) beside other test classes on a loaded machine took over a minute.
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"The API exited with {process.ExitCode}:\n{api.Output}");
            try
            {
                if ((await http.GetAsync(new Uri(api.BaseAddress, "health"))).StatusCode == HttpStatusCode.OK) return api;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            await Task.Delay(200);
        }
        await api.DisposeAsync();
        throw new TimeoutException($"The API did not become healthy:\n{api.Output}");
    }

    /// <summary>SIGKILL: no shutdown hooks, no draining, exactly like a crashed container.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
