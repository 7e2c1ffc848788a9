using System.Net.Http.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>Issue 22's first-screen bugs: each test failed before its fix.</summary>
public sealed class FirstScreenTests : BrowserTest
{
    [TestCase("tenant_admin")]
    [TestCase("agent")]
    [TestCase("platform_admin")]
    public async Task The_empty_conversation_pane_says_pick_a_conversation_and_no_null(string role)
    {
        var email = NewEmail(role);
        if (role == "platform_admin")
        {
            var created = await Server.Admin.PostAsJsonAsync("api/users", new { email, display_name = "Paula Admin", role, password = InboxServer.Password });
            Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        }
        else
        {
            var (tenantId, _) = await Server.CreateTenantAsync();
            await Server.CreateUserAsync(tenantId, email, "Ana Lima", role);
        }
        var page = await NewPageAsync();
        await LoginAsync(page, email);

        var pane = page.Locator(".conversation-pane");
        await Expect(pane).ToHaveTextAsync("Pick a conversation.");
        Assert.That(await pane.TextContentAsync(), Does.Not.Contain("null"));
    }

    [Test]
    public async Task The_needs_a_person_badge_is_filled_when_the_app_opens_on_settings()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Quero falar com atendente", "Luiza Martins");
        await Eventually.HoldsAsync(async () =>
        {
            var needs = await Server.Admin.GetFromJsonAsync<System.Text.Json.JsonElement>($"api/inbox/conversations?tenant_id={tenantId}&status=needs_person");
            return needs.GetProperty("total").GetInt32() == 1;
        }, "the chat needs a person");

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.GotoAsync("/#/settings");
        await page.ReloadAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenant settings" })).ToBeVisibleAsync();
        await Expect(page.Locator("#needs-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#needs-count")).ToBeVisibleAsync();

        // It follows live events there too.
        await Server.CustomerWritesAsync(instance, Payloads.NewChatId(), "Quero falar com atendente", "Rita Alves");
        await Expect(page.Locator("#needs-count")).ToHaveTextAsync("2");
    }
}
