using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class LiveInboxTests : BrowserTest
{
    [Test]
    public async Task A_customer_message_posted_while_the_page_is_open_appears_in_the_list_and_the_open_conversation()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Bom dia! Vocês abrem amanhã?", "Maria Souza");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        var item = page.Locator($"#conversation-list li[data-session-id='{sessionId}']");
        await item.GetByRole(AriaRole.Link).ClickAsync();
        var timeline = page.Locator("#timeline");
        await Expect(timeline.Locator(".bubble.inbound")).ToContainTextAsync("Bom dia! Vocês abrem amanhã?");
        await Expect(timeline.Locator(".bubble.bot")).ToContainTextAsync(InboxServer.BotReply);
        await Expect(page.Locator("#live-state")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("connected"));

        // A new chat, while the page is open: it appears in the list without a reload.
        var otherChat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, otherChat, "Vocês entregam no centro?", "João Pereira");
        var otherSession = await Server.SessionIdAsync(tenantId, otherChat);
        await Expect(page.Locator($"#conversation-list li[data-session-id='{otherSession}']")).ToBeVisibleAsync();

        // The open conversation gets the customer's next message, and the bot's answer to it, live.
        await Server.CustomerWritesAsync(instance, chat, "Quero encomendar um bolo de <b>chocolate</b>");
        await Expect(timeline.Locator(".bubble.inbound").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Quero encomendar um bolo de <b>chocolate</b>"));
        await Expect(timeline.Locator(".bubble.bot")).ToHaveCountAsync(2);
        Assert.That(await timeline.Locator("b").CountAsync(), Is.Zero, "message text is shown as text, never as markup");
        await Expect(item).ToBeVisibleAsync();
        await Expect(page.Locator("#announcer")).ToContainTextAsync("New message from");
        await ScreenshotAsync(page, "inbox-conversation");
    }

    [Test]
    public async Task A_customer_asking_for_a_person_lands_in_the_needs_a_person_queue_with_its_count()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await Expect(page.Locator("#needs-count")).ToBeHiddenAsync();

        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Quero falar com um atendente, por favor", "Carla Dias");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        await Expect(page.Locator("#needs-count")).ToHaveTextAsync("1");

        await page.GetByRole(AriaRole.Link, new() { Name = "Needs a person" }).ClickAsync();
        var item = page.Locator($"#conversation-list li[data-session-id='{sessionId}']");
        await Expect(item).ToContainTextAsync("Handoff");
        await Expect(page.Locator("#list-title")).ToContainTextAsync("Needs a person");
        await item.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#timeline .event[data-action='handoff_requested']")).ToBeVisibleAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("Customer asked for a person");
        await ScreenshotAsync(page, "needs-a-person");
    }
}
