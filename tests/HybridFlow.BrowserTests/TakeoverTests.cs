using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class TakeoverTests : BrowserTest
{
    [Test]
    public async Task Sending_from_the_composer_takes_over_and_the_bot_stays_silent_on_the_next_customer_message()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Meu pedido não chegou", "Maria Souza");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered first");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var composer = page.GetByLabel("Message", new() { Exact = true });
        await composer.FillAsync("Oi Maria, aqui é a Ana.");
        await composer.PressAsync("Shift+Enter");
        await composer.PressSequentiallyAsync("Vou verificar o seu pedido agora.");
        // Writing shows "typing…" to the customer, asked for at most every 5 s: once for all these keystrokes.
        var number = chat.Split('@')[0];
        IReadOnlyList<string> Presence() => [.. Server.Evolution.PresenceCalls
            .Where(c => c.Body.Contains(number, StringComparison.Ordinal)).Select(c => c.Body)];
        await Eventually.HoldsAsync(() => Presence().Count >= 1, "a sendPresence for the chat while the person writes");
        Assert.That(Presence(), Has.Count.EqualTo(1));
        Assert.That(Presence()[0], Does.Contain("composing"));
        await composer.PressAsync("Enter");

        const string sent = "Oi Maria, aqui é a Ana.\nVou verificar o seu pedido agora.";
        var human = page.Locator("#timeline .bubble.human");
        await Expect(human).ToHaveCountAsync(1);
        await Expect(human.Locator(".text")).ToHaveTextAsync(sent);
        await Expect(human.Locator(".sender")).ToHaveTextAsync("Ana Lima");
        await Expect(composer).ToBeEmptyAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Expect(page.Locator("#assign-button")).ToContainTextAsync("Ana Lima");
        await Expect(page.Locator("#resume-button")).ToBeVisibleAsync();
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Contains(sent), "Evolution was asked to send the person's text");

        var action = await Server.CustomerWritesAsync(instance, chat, "Obrigada! Fico no aguardo.");
        Assert.That(action, Is.Not.EqualTo("ai_queued"), "no reply is queued while a person has the chat");
        await Expect(page.Locator("#timeline .bubble.inbound").Last).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("Fico no aguardo"));
        // A marker: another chat's message, answered through the same queue after anything due for this one.
        var marker = Payloads.NewChatId();
        Assert.That(await Server.CustomerWritesAsync(instance, marker, "Vocês abrem amanhã?"), Is.EqualTo("ai_queued"));
        await Eventually.HoldsAsync(() => Server.SentTexts(marker).Count == 1, "the marker answered");
        Assert.That(Server.SentTexts(chat), Is.EqualTo(new[] { InboxServer.BotReply, sent }), "the bot sent nothing after the takeover");
        await Expect(page.Locator("#timeline .bubble.bot")).ToHaveCountAsync(1);
        await ScreenshotAsync(page, "takeover");
    }

    [Test]
    public async Task Pausing_for_a_chosen_time_and_handing_back_lets_the_bot_answer_again()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Qual o horário de sábado?", "Paulo Reis");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered first");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await page.GetByLabel("Pause for").SelectOptionAsync(new SelectOptionValue { Label = "1 h" });
        var before = DateTimeOffset.UtcNow;
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause bot" }).ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Expect(page.Locator("#conversation-status")).ToContainTextAsync("Paused until");
        var resume = page.GetByRole(AriaRole.Button, new() { Name = "Hand back to the bot" });
        await Expect(resume).ToBeFocusedAsync();
        var paused = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations/{sessionId}");
        var until = paused.GetProperty("paused_until").GetDateTimeOffset();
        Assert.That(until, Is.InRange(before.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61)), "paused for the chosen hour");
        await ScreenshotAsync(page, "paused");

        await resume.ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "false");
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("Bot answering");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Pause bot" })).ToBeVisibleAsync();

        Assert.That(await Server.CustomerWritesAsync(instance, chat, "E no domingo?"), Is.EqualTo("ai_queued"));
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 2, "the bot answers again after the hand-back");
        await Expect(page.Locator("#timeline .bubble.bot")).ToHaveCountAsync(2);
    }
}
