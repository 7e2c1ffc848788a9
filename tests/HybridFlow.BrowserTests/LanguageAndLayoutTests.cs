using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class LanguageAndLayoutTests : BrowserTest
{
    [Test]
    public async Task The_browser_language_picks_and_the_switch_changes_it_for_good()
    {
        var english = await NewPageAsync("en-US");
        await english.GotoAsync("/");
        await Expect(english.GetByRole(AriaRole.Heading, new() { Name = "Sign in to the inbox" })).ToBeVisibleAsync();
        await Expect(english.Locator("html")).ToHaveAttributeAsync("lang", "en");

        var portuguese = await NewPageAsync("pt-BR");
        await portuguese.GotoAsync("/");
        await Expect(portuguese.GetByRole(AriaRole.Heading, new() { Name = "Entrar na caixa de entrada" })).ToBeVisibleAsync();
        await Expect(portuguese.GetByLabel("Senha")).ToBeVisibleAsync();
        await Expect(portuguese.Locator("html")).ToHaveAttributeAsync("lang", "pt-BR");

        // The switch overrides the browser's language and is remembered.
        await english.GetByLabel("Language").SelectOptionAsync("pt");
        await Expect(english.GetByRole(AriaRole.Heading, new() { Name = "Entrar na caixa de entrada" })).ToBeVisibleAsync();
        await english.ReloadAsync();
        await Expect(english.GetByRole(AriaRole.Button, new() { Name = "Entrar" })).ToBeVisibleAsync();

        var (tenantId, _) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        await english.GetByLabel("E-mail").FillAsync(email);
        await english.GetByLabel("Senha").FillAsync(Support.InboxServer.Password);
        await english.GetByRole(AriaRole.Button, new() { Name = "Entrar" }).ClickAsync();
        await Expect(english.GetByRole(AriaRole.Link, new() { Name = "Precisa de uma pessoa" })).ToBeVisibleAsync();
        await Expect(english.GetByLabel("Situação")).ToBeVisibleAsync();
        Assert.That(await english.GetByRole(AriaRole.Link, new() { Name = "Configurações" }).CountAsync(), Is.Zero, "settings are for tenant admins");
        await ScreenshotAsync(english, "inbox-portuguese");

        await english.GetByLabel("Idioma").SelectOptionAsync("en");
        await Expect(english.GetByRole(AriaRole.Link, new() { Name = "Needs a person" })).ToBeVisibleAsync();
        await Expect(english.GetByLabel("Status")).ToBeVisibleAsync();
    }

    [Test]
    public async Task On_a_phone_the_list_and_the_conversation_take_turns_with_a_back_button()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi! Vocês fazem bolo de aniversário?", "Luiza Martins");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync(width: 390, height: 844);
        await LoginAsync(page, email);
        var list = page.Locator(".list-pane");
        var conversation = page.Locator(".conversation-pane");
        await Expect(list).ToBeVisibleAsync();
        await Expect(conversation).ToBeHiddenAsync();
        await ScreenshotAsync(page, "phone-list");

        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await Expect(conversation).ToBeVisibleAsync();
        await Expect(list).ToBeHiddenAsync();
        await Expect(page.Locator("#timeline .bubble.bot")).ToBeVisibleAsync();
        var width = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.That(width, Is.LessThanOrEqualTo(390), "nothing sticks out sideways");
        await ScreenshotAsync(page, "phone-conversation");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to conversations" }).First.ClickAsync();
        await Expect(list).ToBeVisibleAsync();
        await Expect(conversation).ToBeHiddenAsync();
    }

    [Test]
    public async Task The_list_is_usable_from_the_keyboard()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var first = Payloads.NewChatId();
        var second = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, first, "Primeira conversa");
        await Server.CustomerWritesAsync(instance, second, "Segunda conversa");
        await Server.SessionIdAsync(tenantId, first);
        await Server.SessionIdAsync(tenantId, second);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        var links = page.Locator("#conversation-list a.conversation-link");
        await Expect(links).ToHaveCountAsync(2);
        await links.First.FocusAsync();
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(links.Nth(1)).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("ArrowUp");
        await Expect(links.First).ToBeFocusedAsync();
        // The bot's answers keep arriving and reorder the list: the opened conversation is checked by its link, not its place.
        var opened = await links.First.GetAttributeAsync("href");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#conversation-title")).ToBeFocusedAsync();
        await Expect(page.Locator($"#conversation-list a.conversation-link[href='{opened}']")).ToHaveAttributeAsync("aria-current", "true");

        // Escape closes the assignment menu and gives focus back to its button.
        await page.Locator("#assign-button").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menu)).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByRole(AriaRole.Menu)).ToBeHiddenAsync();
        await Expect(page.Locator("#assign-button")).ToBeFocusedAsync();
    }
}
