using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>The phone layout at 390 x 844: the thread gets most of the screen.</summary>
public sealed class PhoneLayoutTests : BrowserTest
{
    private const int Width = 390;
    private const int Height = 844;

    [Test]
    public async Task The_top_bar_and_the_conversation_header_keep_one_row_and_the_actions_fold_into_a_menu()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Beatriz Lima de Albuquerque", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi! Vocês fazem bolo de aniversário?", "Luiza Martins");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync(width: Width, height: Height);
        await LoginAsync(page, email);
        // The logo link has a name, and the page a level-one heading.
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "HybridFlow" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveCountAsync(1);

        var topbar = page.Locator("#topbar");
        await AssertOneRowAsync(page, "#topbar > *:not([hidden])", "the top bar");
        Assert.That((await topbar.BoundingBoxAsync())!.Height, Is.LessThanOrEqualTo(56), "the top bar is one compact row");

        // The account folds behind a button: language, name and log out.
        await Expect(page.Locator("#logout")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await Expect(page.Locator("#logout")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Language")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await Expect(page.Locator("#logout")).ToBeHiddenAsync();

        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await Expect(page.Locator("#timeline .bubble.bot")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveCountAsync(1);
        var header = page.Locator(".conversation-header");
        await AssertOneRowAsync(page, ".conversation-header > *:not([hidden]):not(.conversation-actions)", "the conversation header");
        var headerHeight = (await header.BoundingBoxAsync())!.Height;
        Assert.That(headerHeight, Is.LessThanOrEqualTo(56), "the conversation header is one row");
        var timeline = (await page.Locator("#timeline").BoundingBoxAsync())!;
        Assert.That(timeline.Height, Is.GreaterThanOrEqualTo(Height * 0.5), "the thread has most of the screen");
        await ScreenshotAsync(page, "phone-conversation-compact");

        // The actions: behind one button, all there when opened.
        await Expect(page.Locator("#assign-button")).ToBeHiddenAsync();
        var actions = page.GetByRole(AriaRole.Button, new() { Name = "Actions" });
        await Expect(actions).ToHaveAttributeAsync("aria-expanded", "false");
        await actions.ClickAsync();
        await Expect(actions).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(page.Locator("#assign-button")).ToBeVisibleAsync();
        await Expect(page.Locator("#resolve-button")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Add tag")).ToBeVisibleAsync();
        await ScreenshotAsync(page, "phone-conversation-actions");
        await page.Locator("#resolve-button").ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("Resolved");
        await Expect(page.Locator("#resolve-button")).ToBeVisibleAsync();
        await actions.ClickAsync();
        await Expect(page.Locator("#assign-button")).ToBeHiddenAsync();

        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(Width), "nothing sticks out sideways");
    }

    [TestCase("en-US")]
    [TestCase("pt-BR")]
    [TestCase("es-ES")]
    public async Task The_composers_placeholder_fits_its_box(string locale)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi!", "Luiza Martins");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync(locale, Width, Height);
        await page.GotoAsync("/");
        await page.Locator("input[type=email]").FillAsync(email);
        await page.Locator("input[type=password]").FillAsync(InboxServer.Password);
        await page.Locator("form button[type=submit]").ClickAsync();
        await Expect(page.Locator("#conversation-list")).ToBeAttachedAsync();
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var composer = page.Locator("[data-testid=composer]");
        await Expect(composer).ToBeVisibleAsync();
        // The placeholder's width in the textarea's font, against the room inside its padding.
        var room = await composer.EvaluateAsync<double[]>(
            """
            (area) => {
              const style = getComputedStyle(area);
              const context = document.createElement('canvas').getContext('2d');
              context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
              const inner = area.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
              return [context.measureText(area.placeholder).width, inner];
            }
            """);
        Assert.That(await composer.GetAttributeAsync("placeholder"), Is.Not.Empty);
        Assert.That(room[0], Is.LessThanOrEqualTo(room[1]), $"the placeholder ({room[0]:0} px) fits on one line of the box ({room[1]:0} px)");
    }

    /// <summary>The elements' vertical middles lie within one line's height of each other.</summary>
    private static async Task AssertOneRowAsync(IPage page, string selector, string what)
    {
        var middles = await page.EvaluateAsync<double[]>(
            "(selector) => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length)" +
            ".map(e => { const r = e.getBoundingClientRect(); return r.top + r.height / 2; })", selector);
        Assert.That(middles, Is.Not.Empty, what);
        Assert.That(middles.Max() - middles.Min(), Is.LessThan(16), $"{what}: one row (middles {string.Join(", ", middles.Select(m => m.ToString("0")))})");
    }
}
