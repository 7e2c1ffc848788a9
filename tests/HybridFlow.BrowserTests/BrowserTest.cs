using HybridFlow.BrowserTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>A fresh browser context per test (own cookies and storage); uncaught page errors fail the test.</summary>
public abstract class BrowserTest
{
    private readonly List<IBrowserContext> _contexts = [];
    private readonly List<string> _pageErrors = [];

    protected static InboxServer Server => BrowserEnvironment.Server;

    protected async Task<IPage> NewPageAsync(string locale = "en-US", int width = 1280, int height = 800)
    {
        var context = await BrowserEnvironment.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Server.BaseAddress.ToString(),
            Locale = locale,
            ViewportSize = new ViewportSize { Width = width, Height = height },
            TimezoneId = "America/Sao_Paulo",
        });
        _contexts.Add(context);
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => { lock (_pageErrors) _pageErrors.Add(error); };
        return page;
    }

    /// <summary>Logs in through the login page and waits for the conversation list.</summary>
    protected static async Task LoginAsync(IPage page, string email, string password = InboxServer.Password)
    {
        await page.GotoAsync("/");
        await page.GetByLabel(LoginLabels.Email).FillAsync(email);
        await page.GetByLabel(LoginLabels.Password).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = LoginLabels.Submit }).ClickAsync();
        await Expect(page.Locator("#conversation-list")).ToBeAttachedAsync();
    }

    protected static async Task ScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(RepositoryPaths.Screenshots, name + ".png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        TestContext.Out.WriteLine($"screenshot: {path}");
    }

    /// <summary>Runs axe-core on the page as it is now and fails listing every serious or critical violation.</summary>
    protected static async Task AssertNoSeriousAxeViolationsAsync(IPage page)
    {
        var violations = await Axe.SeriousViolationsAsync(page);
        Assert.That(violations, Is.Empty, $"axe-core: serious or critical violations on {page.Url} at {page.ViewportSize?.Width} px:\n" + string.Join("\n", violations));
    }

    protected static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@example.test";

    [TearDown]
    public async Task CloseContexts()
    {
        if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
        {
            foreach (var page in _contexts.SelectMany(c => c.Pages))
                await ScreenshotAsync(page, $"failed-{TestContext.CurrentContext.Test.Name}");
        }
        foreach (var context in _contexts) await context.CloseAsync();
        _contexts.Clear();
        lock (_pageErrors)
        {
            var errors = _pageErrors.ToList();
            _pageErrors.Clear();
            Assert.That(errors, Is.Empty, "uncaught errors in the page");
        }
    }

    protected static class LoginLabels
    {
        public const string Email = "Email";
        public const string Password = "Password";
        public const string Submit = "Sign in";
    }
}
