using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>The contact panel beside a conversation (its edit shows in the inbox) and the composer's emoji picker (issue 23).</summary>
public sealed class ContactPanelTests : BrowserTest
{
    private async Task<(IPage Page, string SessionId, string Chat, string Instance)> AgentOnAConversationAsync(int width, int height)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync($"Padaria Contato {Guid.NewGuid().ToString("N")[..6]}");
        var email = NewEmail("contato");
        await Server.CreateUserAsync(tenantId, email, "Gabi Agente", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Oi, meu pedido?", "Carla");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Carla");
        return (page, sessionId, chat, instance);
    }

    private static async Task OpenContactAsync(IPage page, int width)
    {
        if (width < 720 && await page.Locator("#actions-toggle").IsVisibleAsync()) await page.Locator("#actions-toggle").ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Contact", Exact = true }).ClickAsync();
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_contact_panel_shows_the_customer_and_its_name_edit_shows_in_the_inbox(int width, int height)
    {
        var (page, sessionId, chat, instance) = await AgentOnAConversationAsync(width, height);
        await OpenContactAsync(page, width);
        var panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Contact" });
        await Expect(panel.GetByTestId("contact-number")).ToHaveTextAsync("+" + chat.Split('@')[0]);
        await Expect(panel.GetByTestId("contact-channel")).ToHaveTextAsync("WhatsApp (Evolution)");
        await Expect(panel.GetByTestId("contact-conversations")).ToHaveTextAsync("1");
        await Expect(panel.GetByText("WhatsApp calls them “Carla”. Leave empty to use that name.")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);

        await panel.GetByLabel("Name").FillAsync("Carla Dias (VIP)");
        await panel.GetByLabel("Notes").FillAsync("Prefers pickup after 5 pm.");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Save contact" }).ClickAsync();
        await Expect(panel.GetByRole(AriaRole.Status)).ToHaveTextAsync("Contact saved.");
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Carla Dias (VIP)");
        if (width >= 720)
            await Expect(page.Locator($"#conversation-list li[data-session-id='{sessionId}']")).ToContainTextAsync("Carla Dias (VIP)");

        // Stored: a new page load shows it, and the customer's next message keeps the person's name.
        await Server.CustomerWritesAsync(instance, chat, "Ainda aí?", "Carlinha");
        await page.ReloadAsync();
        await Expect(page.Locator("#conversation-title")).ToHaveTextAsync("Carla Dias (VIP)");
        await OpenContactAsync(page, width);
        panel = page.GetByRole(AriaRole.Complementary, new() { Name = "Contact" });
        await Expect(panel.GetByLabel("Notes")).ToHaveValueAsync("Prefers pickup after 5 pm.");
        await Expect(panel.GetByText("WhatsApp calls them “Carlinha”. Leave empty to use that name.")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);
    }

    [Test]
    public async Task The_emoji_picker_inserts_at_the_cursor_by_mouse_and_by_keyboard()
    {
        var (page, _, _, _) = await AgentOnAConversationAsync(1280, 800);
        var composer = page.GetByLabel("Message", new() { Exact = true });
        await composer.FillAsync("Obrigada ");
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Insert an emoji" });
        await button.ClickAsync();
        var grid = page.GetByRole(AriaRole.Grid, new() { Name = "Emoji" });
        await Expect(grid).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);
        await grid.GetByRole(AriaRole.Gridcell, new() { Name = "🙏" }).ClickAsync();
        await Expect(grid).ToBeHiddenAsync();
        await Expect(composer).ToHaveValueAsync("Obrigada 🙏");
        await Expect(composer).ToBeFocusedAsync();

        await button.ClickAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("Obrigada 🙏😊");
        await button.ClickAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(grid).ToBeHiddenAsync();
        await Expect(button).ToBeFocusedAsync();
    }
}
