using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Infrastructure;
using Microsoft.Playwright;

namespace HybridFlow.BrowserTests;

/// <summary>
/// One PostgreSQL, one API process and one headless Chromium for the whole run; each test makes its own tenant and
/// browser context, so tests share nothing they can see.
/// </summary>
[SetUpFixture]
public sealed class BrowserEnvironment
{
    private static PostgresServer? _postgres;
    private static InboxServer? _server;
    private static IPlaywright? _playwright;
    private static IBrowser? _browser;

    public static InboxServer Server => _server ?? throw new InvalidOperationException("The API was not started.");
    public static IBrowser Browser => _browser ?? throw new InvalidOperationException("Chromium was not started.");

    [OneTimeSetUp]
    public async Task Start()
    {
        // First, so a missing browser fails every test at once with the install hint.
        _playwright = await Playwright.CreateAsync();
        _browser = await Chromium.LaunchAsync(_playwright);
        TestContext.Progress.WriteLine($"browser tests: Chromium {_browser.Version} from {Chromium.ExecutablePath}");
        Assertions.SetDefaultExpectTimeout(20_000);

        _postgres = await PostgresServer.StartAsync();
        TestContext.Progress.WriteLine("browser tests: " + _postgres.Description);
        _server = await InboxServer.StartAsync(_postgres);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null) await _browser.CloseAsync();
        _playwright?.Dispose();
        if (_server is not null) await _server.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}
