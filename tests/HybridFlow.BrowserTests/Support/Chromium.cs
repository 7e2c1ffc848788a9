using Microsoft.Playwright;

namespace HybridFlow.BrowserTests.Support;

/// <summary>
/// Debian's chromium, driven by Playwright through an explicit executable: Playwright's own browser download cannot
/// work here (no internet), so it is never called.
/// </summary>
public static class Chromium
{
    public const string PathVariable = "CHROMIUM_PATH";
    public const string DefaultPath = "/usr/bin/chromium";

    public static string ExecutablePath =>
        Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } path ? path : DefaultPath;

    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright)
    {
        var path = ExecutablePath;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"No Chromium at {path}. Install Debian's package (as root: apt-get install -y chromium) or set {PathVariable} " +
                "to a Chromium executable. The browser tests never download a browser.");
        }
        var args = new List<string>
        {
            // Nothing may reach the internet from here: no updates, sync, or first-run pages.
            "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync",
            "--disable-default-apps",
            // Containers often have a small /dev/shm.
            "--disable-dev-shm-usage",
        };
        // Chromium's sandbox refuses to run as root.
        if (Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root") args.Add("--no-sandbox");
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args = args,
        });
    }
}
