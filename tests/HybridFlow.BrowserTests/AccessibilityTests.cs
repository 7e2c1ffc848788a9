using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>axe-core (serious and critical rules) on the login page and the inbox, on a desktop and on a phone.</summary>
public sealed class AccessibilityTests : BrowserTest
{
    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_login_page_has_no_serious_axe_violation(int width, int height)
    {
        var page = await NewPageAsync(width: width, height: height);
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);

        // The error state too.
        await page.GetByLabel(LoginLabels.Email).FillAsync(NewEmail("nobody"));
        await page.GetByLabel(LoginLabels.Password).FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = LoginLabels.Submit }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_inbox_has_no_serious_axe_violation_empty_or_with_a_conversation_open(int width, int height)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, email);
        await AssertNoSeriousAxeViolationsAsync(page);

        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi! Vocês fazem bolo de aniversário?", "Luiza Martins");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await Expect(page.Locator("#timeline .bubble.bot")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);
    }
}
