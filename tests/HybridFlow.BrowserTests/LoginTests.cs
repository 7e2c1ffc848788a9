using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class LoginTests : BrowserTest
{
    [Test]
    public async Task A_wrong_password_shows_an_error_the_right_one_opens_the_inbox_and_logout_ends_the_session()
    {
        var (tenantId, _) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var page = await NewPageAsync();

        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong email or password.");
        await Expect(page.GetByLabel("Password")).ToBeFocusedAsync();
        await Expect(page.GetByLabel("Password")).ToBeEmptyAsync();
        await ScreenshotAsync(page, "login-wrong-password");

        await page.GetByLabel("Password").FillAsync(Support.InboxServer.Password);
        await page.GetByLabel("Password").PressAsync("Enter");
        await Expect(page.Locator("#conversation-list")).ToBeAttachedAsync();
        await Expect(page.Locator(".user-name")).ToHaveTextAsync("Ana Lima");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Settings" })).ToBeVisibleAsync();
        Assert.That(page.Url, Does.EndWith("#/inbox"));
        var me = await page.APIRequest.GetAsync("/api/auth/me");
        Assert.That(me.Status, Is.EqualTo(200), "the page's cookie is a session");

        // A reload keeps the session (the cookie), without the login page.
        await page.ReloadAsync();
        await Expect(page.Locator(".user-name")).ToHaveTextAsync("Ana Lima");

        await page.GetByRole(AriaRole.Button, new() { Name = "Log out" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        Assert.That((await page.APIRequest.GetAsync("/api/auth/me")).Status, Is.EqualTo(401), "logged out on the server too");
    }
}
