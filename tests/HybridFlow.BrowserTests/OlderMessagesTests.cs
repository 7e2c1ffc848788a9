using System.Net.Http.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class OlderMessagesTests : BrowserTest
{
    [Test]
    public async Task A_long_conversation_opens_on_its_newest_page_and_loads_older_items_on_demand()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        // A second apart (WhatsApp's timestamps have whole seconds), so the thread's order is the order they were written.
        var start = DateTimeOffset.UtcNow.AddMinutes(-5);
        await Server.CustomerWritesAsync(instance, chat, "Mensagem 1", "Cliente Falante", start.AddSeconds(1));
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        // Paused, so the bot does not answer each of them.
        var pause = await Server.Admin.PostAsJsonAsync($"api/inbox/conversations/{sessionId}/pause", new { minutes = 60 });
        Assert.That((int)pause.StatusCode, Is.EqualTo(200), await pause.Content.ReadAsStringAsync());
        for (var n = 2; n <= 70; n++) await Server.CustomerWritesAsync(instance, chat, $"Mensagem {n}", at: start.AddSeconds(n));

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var inbound = page.Locator("#timeline .bubble.inbound .text");
        var older = page.GetByRole(AriaRole.Button, new() { Name = "Load older messages" });
        await Expect(older).ToBeVisibleAsync();
        Assert.That(await inbound.AllTextContentsAsync(), Does.Not.Contain("Mensagem 1"), "the first page is the newest");

        var items = page.Locator("#timeline > li");
        for (var pages = 0; pages < 20 && await older.CountAsync() > 0; pages++)
        {
            var shown = await items.CountAsync();
            await older.ClickAsync();
            await Expect(items).Not.ToHaveCountAsync(shown);
        }
        await Expect(inbound.First).ToHaveTextAsync("Mensagem 1");
        await Expect(page.Locator("#timeline .timeline-start")).ToHaveTextAsync("Start of the conversation");
        var texts = await inbound.AllTextContentsAsync();
        Assert.That(texts, Is.EqualTo(Enumerable.Range(1, 70).Select(n => $"Mensagem {n}")), "every message once, oldest first");
    }
}
