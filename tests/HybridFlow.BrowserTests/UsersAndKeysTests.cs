using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>
/// The users screen (one-time links, role, lock, end sessions), the one-time link's page, and the API keys screen
/// (shown once, who made it, revoke), through the browser against the real API.
/// </summary>
public sealed class UsersAndKeysTests : BrowserTest
{
    private const string ChosenPassword = "a password of my own choosing";

    private async Task<(long TenantId, IPage Admin)> TenantAdminOnAsync(string screen, int width = 1280, int height = 800)
    {
        var (tenantId, _) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Admin", "tenant_admin");
        var admin = await NewPageAsync(width: width, height: height);
        await LoginAsync(admin, email);
        await admin.GotoAsync($"/#/setup/{screen}");
        return (tenantId, admin);
    }

    private static ILocator Row(IPage page, string email) => page.Locator($"tr[data-email='{email}']");

    private static async Task<string> CreateUserOnScreenAsync(IPage admin, string email, string name, string role = "agent")
    {
        await admin.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync(name);
        await admin.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync(role);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create and get a link" }).ClickAsync();
        var link = admin.GetByTestId("one-time-link");
        await Expect(link).ToBeFocusedAsync();
        return await link.InputValueAsync();
    }

    private static async Task ChoosePasswordAsync(IPage page, string link, string password = ChosenPassword)
    {
        await page.GotoAsync(link);
        await page.GetByLabel("New password", new() { Exact = true }).FillAsync(password);
        await page.GetByLabel("Repeat the password", new() { Exact = true }).FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save and sign in" }).ClickAsync();
    }

    [Test]
    public async Task An_admin_creates_a_user_whose_one_time_link_opens_elsewhere_sets_a_password_and_logs_in_once()
    {
        var (_, admin) = await TenantAdminOnAsync("users");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await Expect(admin.GetByText("The people who sign in to tenant Padaria Demo.")).ToBeVisibleAsync();
        var email = NewEmail("bia");

        var link = await CreateUserOnScreenAsync(admin, email, "Bia Souza");

        Assert.That(link, Does.StartWith(new Uri(Server.BaseAddress, "/#/welcome/").ToString()));
        await Expect(admin.GetByText("Shown only now.")).ToBeVisibleAsync();
        await Expect(Row(admin, email).GetByTestId("user-state")).ToContainTextAsync("Waiting for a password");
        await ScreenshotAsync(admin, "users-one-time-link");

        // A fresh browser: the new person's own.
        var person = await NewPageAsync();
        await person.GotoAsync(link);
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Choose your password" })).ToBeVisibleAsync();
        await Expect(person.GetByText($"For {email}.")).ToBeVisibleAsync();
        await person.GetByLabel("New password", new() { Exact = true }).FillAsync(ChosenPassword);
        await person.GetByLabel("Repeat the password", new() { Exact = true }).FillAsync("something else entirely");
        await person.GetByRole(AriaRole.Button, new() { Name = "Save and sign in" }).ClickAsync();
        await Expect(person.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The two passwords differ.");
        await ChoosePasswordAsync(person, link);
        await Expect(person.Locator(".user-name")).ToHaveTextAsync("Bia Souza");
        await Expect(person.Locator("#conversation-list")).ToBeAttachedAsync();

        // The link worked once.
        var again = await NewPageAsync();
        await again.GotoAsync(link);
        await Expect(again.GetByRole(AriaRole.Alert)).ToContainTextAsync("This link does not work");

        // The admin's list says so, and the link is not shown again; the password logs in anywhere.
        await admin.ReloadAsync();
        await Expect(Row(admin, email).GetByTestId("user-state")).ToHaveTextAsync("Active");
        await Expect(admin.GetByTestId("one-time-link")).ToHaveCountAsync(0);
        Assert.That(await admin.ContentAsync(), Does.Not.Contain(link.Split('/').Last()));
        await LoginAsync(await NewPageAsync(), email, ChosenPassword);
    }

    [Test]
    public async Task An_admin_ends_a_users_sessions_locks_and_unlocks_them_changes_their_role_and_resets_their_password_by_link()
    {
        var (tenantId, admin) = await TenantAdminOnAsync("users");
        var email = NewEmail("caio");
        var userId = await Server.CreateUserAsync(tenantId, email, "Caio Reis", "agent");
        var user = await NewPageAsync();
        await LoginAsync(user, email);
        await admin.ReloadAsync();
        var row = Row(admin, email);
        await Expect(row.GetByTestId("user-state")).ToHaveTextAsync("Active");

        await row.GetByRole(AriaRole.Button, new() { Name = "End sessions" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "All logins of Caio Reis ended." })).ToBeVisibleAsync();
        await user.ReloadAsync();
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();

        await LoginAsync(user, email);
        await row.GetByRole(AriaRole.Button, new() { Name = "Lock" }).ClickAsync();
        await Expect(row.GetByTestId("user-state")).ToHaveTextAsync("Locked");
        await user.ReloadAsync();
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await user.GetByLabel(LoginLabels.Email).FillAsync(email);
        await user.GetByLabel(LoginLabels.Password).FillAsync(Support.InboxServer.Password);
        await user.GetByRole(AriaRole.Button, new() { Name = LoginLabels.Submit }).ClickAsync();
        await Expect(user.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        Assert.That(user.Url, Does.EndWith("#/login"), "a locked user stays out");

        await row.GetByRole(AriaRole.Button, new() { Name = "Unlock" }).ClickAsync();
        await Expect(row.GetByTestId("user-state")).ToHaveTextAsync("Active");
        await LoginAsync(user, email);

        await row.GetByLabel("Role of Caio Reis").SelectOptionAsync("tenant_admin");
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "Caio Reis is now Tenant admin" })).ToBeVisibleAsync();
        var listed = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}/users");
        Assert.That(listed.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("id").ToString() == userId).GetProperty("role").GetString(),
            Is.EqualTo("tenant_admin"));

        await LoginAsync(user, email);
        await row.GetByRole(AriaRole.Button, new() { Name = "New password link" }).ClickAsync();
        var link = await admin.GetByTestId("one-time-link").InputValueAsync();
        await Expect(row.GetByTestId("user-state")).ToContainTextAsync("Waiting for a password");
        await user.ReloadAsync();
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await user.GetByLabel(LoginLabels.Email).FillAsync(email);
        await user.GetByLabel(LoginLabels.Password).FillAsync(Support.InboxServer.Password);
        await user.GetByRole(AriaRole.Button, new() { Name = LoginLabels.Submit }).ClickAsync();
        await Expect(user.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong email or password.");

        await user.GotoAsync(link);
        await Expect(user.GetByRole(AriaRole.Heading, new() { Name = "Choose a new password" })).ToBeVisibleAsync();
        await ChoosePasswordAsync(user, link);
        await Expect(user.Locator(".user-name")).ToHaveTextAsync("Caio Reis");
    }

    [Test]
    public async Task An_api_key_is_shown_once_works_against_the_api_names_its_maker_and_stops_at_revoke()
    {
        var (tenantId, admin) = await TenantAdminOnAsync("api-keys");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "API keys", Level = 1 })).ToBeVisibleAsync();

        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync("Front desk");
        await admin.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("tenant_admin");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var shown = admin.GetByTestId("new-api-key");
        await Expect(shown).ToBeFocusedAsync();
        var key = await shown.InputValueAsync();
        Assert.That(key, Does.StartWith("hf_"));
        var row = admin.Locator("tr", new() { Has = admin.GetByRole(AriaRole.Rowheader, new() { Name = "Front desk" }) });
        await Expect(row).ToContainTextAsync("Ana Admin");
        await Expect(row.GetByTestId("key-state")).ToHaveTextAsync("Active");

        using var client = new HttpClient { BaseAddress = Server.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        Assert.That((int)(await client.GetAsync($"api/tenants/{tenantId}")).StatusCode, Is.EqualTo(200), "the key works");

        await admin.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        await Expect(shown).ToHaveCountAsync(0);
        await admin.ReloadAsync();
        await Expect(row.GetByTestId("key-state")).ToHaveTextAsync("Active");
        Assert.That(await admin.ContentAsync(), Does.Not.Contain(key), "shown once");

        await row.GetByRole(AriaRole.Button, new() { Name = "Revoke Front desk" }).ClickAsync();
        await Expect(row.GetByTestId("key-state")).ToContainTextAsync("Revoked");
        Assert.That((int)(await client.GetAsync($"api/tenants/{tenantId}")).StatusCode, Is.EqualTo(401), "a revoked key stops at once");
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_users_keys_and_link_pages_have_no_serious_axe_violation(int width, int height)
    {
        var (_, admin) = await TenantAdminOnAsync("users", width, height);
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Users", Level = 1 })).ToBeVisibleAsync();
        await Expect(admin.Locator(".people-table")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(admin);
        var link = await CreateUserOnScreenAsync(admin, NewEmail("dani"), "Dani Paz");
        await AssertNoSeriousAxeViolationsAsync(admin);

        await admin.GotoAsync("/#/setup/api-keys");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "API keys", Level = 1 })).ToBeVisibleAsync();
        await Expect(admin.GetByText("No API keys yet.")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(admin);
        await admin.GetByLabel("Name", new() { Exact = true }).FillAsync("Reports");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        await Expect(admin.GetByTestId("new-api-key")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(admin);

        var person = await NewPageAsync(width: width, height: height);
        await person.GotoAsync(link);
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Choose your password" })).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(person);
        await ScreenshotAsync(person, $"welcome-{width}");
    }

    [Test]
    public async Task The_platform_admin_with_no_tenant_in_view_manages_the_platform_admins()
    {
        var email = NewEmail("root");
        var created = await Server.Admin.PostAsJsonAsync("api/users", new { email, display_name = "Root Admin", password = Support.InboxServer.Password });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        var admin = await NewPageAsync();
        await LoginAsync(admin, email);
        await admin.GotoAsync("/#/setup/users");
        await Expect(admin.GetByText("Platform admins: people without a tenant.")).ToBeVisibleAsync();
        await Expect(Row(admin, email)).ToContainTextAsync("(you)");
        await Expect(admin.GetByLabel("Role", new() { Exact = true })).ToHaveCountAsync(0);

        var other = NewEmail("ops");
        await admin.GetByLabel("Email", new() { Exact = true }).FillAsync(other);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Create and get a link" }).ClickAsync();
        var link = await admin.GetByTestId("one-time-link").InputValueAsync();
        await Expect(Row(admin, other)).ToContainTextAsync("Platform admin");

        var person = await NewPageAsync();
        await ChoosePasswordAsync(person, link);
        await Expect(person.Locator("#conversation-list")).ToBeAttachedAsync();
        await admin.ReloadAsync();
        await Expect(Row(admin, other).GetByTestId("user-state")).ToHaveTextAsync("Active");
        await Row(admin, other).GetByRole(AriaRole.Button, new() { Name = "End sessions" }).ClickAsync();
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "All logins of" })).ToBeVisibleAsync();
        await person.ReloadAsync();
        await Expect(person.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
    }
}

/// <summary>Opening the app logged out writes nothing to the console (the first check used to be a 401 from /me).</summary>
public sealed class LoggedOutConsoleTests : BrowserTest
{
    [Test]
    public async Task The_login_page_loads_without_a_console_error()
    {
        var page = await NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error") lock (errors) errors.Add(message.Text);
        };

        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.GotoAsync("/#/settings");
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        lock (errors) Assert.That(errors, Is.Empty, "console errors on the logged-out page");
    }
}
