using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class VisibilityTests : BrowserTest
{
    [Test]
    public async Task An_agent_does_not_see_a_conversation_assigned_to_another_agent()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var anaEmail = NewEmail("ana");
        var brunoEmail = NewEmail("bruno");
        await Server.CreateUserAsync(tenantId, anaEmail, "Ana Lima", "agent");
        await Server.CreateUserAsync(tenantId, brunoEmail, "Bruno Alves", "agent");
        var anasChat = Payloads.NewChatId();
        var openChat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, anasChat, "Preciso trocar um produto", "Cliente da Ana");
        await Server.CustomerWritesAsync(instance, openChat, "Vocês têm pão sem glúten?", "Cliente sem dono");
        var anasSession = await Server.SessionIdAsync(tenantId, anasChat);
        var openSession = await Server.SessionIdAsync(tenantId, openChat);

        var bruno = await NewPageAsync();
        await LoginAsync(bruno, brunoEmail);
        var brunosCopy = bruno.Locator($"#conversation-list li[data-session-id='{anasSession}']");
        await Expect(brunosCopy).ToBeVisibleAsync();

        // Ana takes the first conversation from the assignment menu.
        var ana = await NewPageAsync();
        await LoginAsync(ana, anaEmail);
        await ana.Locator($"#conversation-list li[data-session-id='{anasSession}'] a").ClickAsync();
        await ana.Locator("#assign-button").ClickAsync();
        var assignToMe = ana.GetByRole(AriaRole.Menuitem, new() { Name = "Assign to me" });
        await Expect(assignToMe).ToBeFocusedAsync();
        await assignToMe.PressAsync("Enter");
        await Expect(ana.Locator("#assign-button")).ToContainTextAsync("Ana Lima");

        // Bruno's open page drops it live: the stream tells him it left the unassigned queue, and it is not his to read.
        await Expect(brunosCopy).ToHaveCountAsync(0);
        await Expect(bruno.Locator($"#conversation-list li[data-session-id='{openSession}']")).ToBeVisibleAsync();
        await bruno.ReloadAsync();
        await Expect(brunosCopy).ToHaveCountAsync(0);
        await bruno.GetByLabel("Status").SelectOptionAsync("all");
        await Expect(bruno.Locator($"#conversation-list li[data-session-id='{openSession}']")).ToBeVisibleAsync();
        await Expect(bruno.Locator($"#conversation-list li[data-session-id='{anasSession}']")).ToHaveCountAsync(0);
        Assert.That(await bruno.Locator("#conversation-list").InnerTextAsync(), Does.Not.Contain("Preciso trocar um produto"));

        // Not by address either.
        await bruno.GotoAsync($"/#/inbox/{anasSession}");
        await Expect(bruno.Locator(".conversation-pane")).ToContainTextAsync("This conversation is not available.");
        await ScreenshotAsync(bruno, "agent-visibility");

        // Ana still has both: hers and the unassigned one.
        await Expect(ana.Locator($"#conversation-list li[data-session-id='{openSession}']")).ToBeVisibleAsync();
        await Expect(ana.Locator($"#conversation-list li[data-session-id='{anasSession}']")).ToBeVisibleAsync();
    }
}
