using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace HybridFlow.BrowserTests.Support;

/// <summary>
/// axe-core, the accessibility checker, from the npm package that scripts/ensure-axe.sh installs into the git-ignored
/// .tools folder (scripts/test.sh runs it first; a plain `dotnet test` runs it here on first use). It is evaluated in
/// the page through the DevTools protocol, because the app's Content-Security-Policy rightly refuses inline scripts.
/// </summary>
public static class Axe
{
    public const string PathVariable = "HYBRIDFLOW_AXE_PATH";

    private static readonly Lazy<Task<string>> Source = new(LoadAsync);

    /// <summary>The serious and critical violations on the page as it is now, one line each (empty when none).</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        // The package's own source as the body of a function the DevTools protocol compiles (eval would meet the CSP).
        if (!await page.EvaluateAsync<bool>("() => !!window.axe").ConfigureAwait(false))
            await page.EvaluateAsync("() => {\n" + await Source.Value + "\n}").ConfigureAwait(false);
        var json = await page.EvaluateAsync<string>(
            """
            async () => {
              const results = await window.axe.run(document, { resultTypes: ['violations'] });
              return JSON.stringify(results.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')) })));
            }
            """).ConfigureAwait(false);
        var violations = JsonSerializer.Deserialize<List<Violation>>(json, new JsonSerializerOptions { PropertyNameCaseInsensitive = true }) ?? [];
        return violations.Select(v => $"{v.Impact} {v.Id}: {v.Help} ({string.Join(", ", v.Targets)})").ToList();
    }

    private static async Task<string> LoadAsync()
    {
        var path = Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } set ? set : await InstallAsync();
        if (!File.Exists(path)) throw new InvalidOperationException($"No axe-core at {path} (scripts/ensure-axe.sh installs it).");
        return await File.ReadAllTextAsync(path);
    }

    private static async Task<string> InstallAsync()
    {
        var script = Path.Combine(RepositoryPaths.Root, "scripts", "ensure-axe.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"scripts/ensure-axe.sh failed ({process.ExitCode}): {await errors}");
        return (await output).Trim();
    }

    private sealed record Violation(string Id, string Impact, string Help, List<string> Targets);
}
