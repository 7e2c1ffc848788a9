using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>A Cloud API conversation: its channel, its 24-hour window, and the template picker a closed window brings.</summary>
public sealed class ServiceWindowTests : BrowserTest
{
    [Test]
    public async Task A_cloud_api_conversation_shows_its_window_and_a_closed_one_turns_the_composer_into_a_template_picker()
    {
        var (tenantId, instance) = await Server.CreateMetaTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var openId = await Server.MetaCustomerWroteAsync(instance, Payloads.NewChatId(), "Vocês abrem amanhã?", DateTimeOffset.UtcNow.AddHours(-1), "Maria Souza");
        var closedId = await Server.MetaCustomerWroteAsync(instance, Payloads.NewChatId(), "Meu pedido ficou pronto?", DateTimeOffset.UtcNow.AddHours(-30), "João Pereira");

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        var openItem = page.Locator($"#conversation-list li[data-session-id='{openId}']");
        var closedItem = page.Locator($"#conversation-list li[data-session-id='{closedId}']");
        await Expect(openItem.Locator(".channel-chip")).ToHaveTextAsync("WhatsApp Cloud API");
        await Expect(openItem.Locator(".window-closed")).ToHaveCountAsync(0);
        await Expect(closedItem.Locator(".window-closed")).ToHaveTextAsync("window closed");

        // Open window: the header says until when, and the composer takes free text.
        await openItem.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#service-window")).ToHaveAttributeAsync("data-window", "open");
        await Expect(page.Locator("#service-window")).ToContainTextAsync("Window open until");
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("template-picker")).ToHaveCountAsync(0);

        // Closed window: only a template, chosen from the instance's approved ones, its variables filled in, previewed.
        await closedItem.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.Locator("#service-window")).ToHaveAttributeAsync("data-window", "closed");
        await Expect(page.Locator("#service-window")).ToContainTextAsync("templates only");
        await Expect(page.GetByTestId("composer")).ToHaveCountAsync(0);
        var picker = page.GetByTestId("template-picker");
        await Expect(picker).ToContainTextAsync("More than 24 hours since the customer's last message");
        var select = picker.GetByLabel("Template");
        await Expect(select.Locator("option")).ToHaveTextAsync(new[] { "Choose a template…", "order_ready · en_US", "order_ready · pt_BR", "welcome_back · pt_BR" });
        await select.SelectOptionAsync(new SelectOptionValue { Label = "order_ready · pt_BR" });
        await picker.GetByLabel("Variable {{1}}").FillAsync("João");
        await Expect(picker.GetByTestId("template-preview")).ToHaveTextAsync("Olá João, seu pedido {{2}} está pronto para retirada.");
        await Expect(page.Locator("#template-send-button")).ToBeDisabledAsync();
        await picker.GetByLabel("Variable {{2}}").FillAsync("4521");
        await Expect(picker.GetByTestId("template-preview")).ToHaveTextAsync("Olá João, seu pedido 4521 está pronto para retirada.");
        await Expect(page.Locator("#template-send-button")).ToBeEnabledAsync();
        await ScreenshotAsync(page, "template-picker");

        // A note is still free text; back to reply, the picker again.
        // (The composer is drawn anew for the choice, so the radio is clicked rather than checked and re-read.)
        await page.GetByRole(AriaRole.Radio, new() { Name = "Note" }).ClickAsync();
        await Expect(page.GetByTestId("composer")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Note" })).ToBeCheckedAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Note" })).ToBeFocusedAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Reply" }).ClickAsync();
        await Expect(page.GetByTestId("template-picker")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Reply" })).ToBeFocusedAsync();
    }

    [Test]
    public async Task A_template_sent_from_the_picker_reaches_the_cloud_api_and_shows_as_the_persons_message()
    {
        var (tenantId, instance) = await Server.CreateMetaTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "agent");
        var sessionId = await Server.MetaCustomerWroteAsync(instance, Payloads.NewChatId(), "Meu pedido ficou pronto?", DateTimeOffset.UtcNow.AddDays(-2));

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var picker = page.GetByTestId("template-picker");
        await picker.GetByLabel("Template").SelectOptionAsync(new SelectOptionValue { Label = "order_ready · pt_BR" });
        await picker.GetByLabel("Variable {{1}}").FillAsync("Maria");
        await picker.GetByLabel("Variable {{2}}").FillAsync("77");
        await page.Locator("#template-send-button").ClickAsync();

        const string text = "Olá Maria, seu pedido 77 está pronto para retirada.";
        var human = page.Locator("#timeline .bubble.human");
        await Expect(human.Locator(".text")).ToHaveTextAsync(text);
        await Expect(human.Locator(".sender")).ToHaveTextAsync("Ana Lima");
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Expect(page.Locator("#assign-button")).ToContainTextAsync("Ana Lima");
        // The picker is ready for another one: the window is still closed.
        await Expect(page.GetByTestId("template-picker").GetByLabel("Template")).ToHaveValueAsync("");
        var send = Server.Graph.SentMessages.Single(r => r.Body.Contains("order_ready", StringComparison.Ordinal));
        var template = JsonDocument.Parse(send.Body).RootElement.GetProperty("template");
        Assert.That(template.GetProperty("language").GetProperty("code").GetString(), Is.EqualTo("pt_BR"));
        Assert.That(send.Body, Does.Contain("Maria").And.Contain("77"));
        await ScreenshotAsync(page, "template-sent");
    }
}
