using System.Net.Http.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>
/// A person hears and sees when a chat needs them (issue 23): the browser's notification permission is granted in the
/// test context, and the page records the notifications it shows and the tones it plays (an init script wraps
/// Notification and AudioContext, passing every call through).
/// </summary>
public sealed class AttentionTests : BrowserTest
{
    private const string Recorder = """
        window.__notifications = [];
        window.__tones = 0;
        const RealNotification = window.Notification;
        if (RealNotification) {
          class RecordedNotification extends RealNotification {
            constructor(title, options) { super(title, options); window.__notifications.push({ title, body: options?.body ?? '' }); }
          }
          Object.defineProperty(RecordedNotification, 'permission', { get: () => RealNotification.permission });
          RecordedNotification.requestPermission = (...args) => RealNotification.requestPermission(...args);
          window.Notification = RecordedNotification;
        }
        const RealAudio = window.AudioContext;
        if (RealAudio) {
          window.AudioContext = class extends RealAudio {
            createOscillator() { window.__tones += 1; return super.createOscillator(); }
          };
        }
        """;

    private async Task<IPage> AgentPageAsync(string email)
    {
        var page = await NewPageAsync();
        await page.Context.GrantPermissionsAsync(["notifications"], new() { Origin = Server.BaseAddress.ToString().TrimEnd('/') });
        await page.Context.AddInitScriptAsync(Recorder);
        await LoginAsync(page, email);
        return page;
    }

    /// <summary>Polls an expression (the page's CSP refuses eval, which WaitForFunctionAsync needs).</summary>
    private static async Task UntilAsync(IPage page, string expression)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!await page.EvaluateAsync<bool>(expression))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"still false after 15 s: {expression}");
            await Task.Delay(100);
        }
    }

    [Test]
    public async Task AChatEnteringNeedsAPerson_Chimes_Notifies_AndCountsInTheTitle()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync($"Padaria Aviso {Guid.NewGuid().ToString("N")[..6]}");
        var email = NewEmail("aviso");
        await Server.CreateUserAsync(tenantId, email, "Ana Aviso", "agent");
        var page = await AgentPageAsync(email);
        await Expect(page).ToHaveTitleAsync("HybridFlow");

        await Server.CustomerWritesAsync(instance, Payloads.NewChatId(), "Quero falar com um atendente, por favor", "Carla Dias");

        await Expect(page.Locator("#needs-count")).ToHaveTextAsync("1");
        await Expect(page).ToHaveTitleAsync("(1) HybridFlow");
        await UntilAsync(page, "window.__notifications.length === 1");
        var shown = await page.EvaluateAsync<string>("window.__notifications[0].title");
        Assert.That(shown, Is.EqualTo("Carla Dias needs a person"));
        Assert.That(await page.EvaluateAsync<int>("window.__tones"), Is.GreaterThan(0), "the chime played");
    }

    [Test]
    public async Task ACustomerWritingInAChatAssignedToMe_Notifies_AndTheSoundCanBeSwitchedOff()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync($"Padaria Minha {Guid.NewGuid().ToString("N")[..6]}");
        var email = NewEmail("minha");
        var agentId = await Server.CreateUserAsync(tenantId, email, "Bia Minha", "agent");
        var mine = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, mine, "Oi, bom dia", "Dora Cliente");
        var mineId = await Server.SessionIdAsync(tenantId, mine);
        var assigned = await Server.Admin.PatchAsJsonAsync($"api/inbox/conversations/{mineId}", new { assignee_user_id = long.Parse(agentId) });
        Assert.That((int)assigned.StatusCode, Is.EqualTo(200), await assigned.Content.ReadAsStringAsync());
        var someoneElses = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, someoneElses, "Oi", "Edu Cliente");

        var page = await AgentPageAsync(email);
        var sound = page.Locator("#sound-toggle");
        await Expect(sound).ToHaveAttributeAsync("aria-pressed", "true");
        await sound.ClickAsync();
        await Expect(page.Locator("#sound-toggle")).ToHaveAttributeAsync("aria-pressed", "false");
        await page.ReloadAsync();
        await Expect(page.Locator("#sound-toggle")).ToHaveAttributeAsync("aria-pressed", "false", new() { Timeout = 10_000 });
        await Expect(page.Locator("#conversation-list")).ToBeAttachedAsync();
        var tonesBefore = await page.EvaluateAsync<int>("window.__tones");

        // Unassigned to me: nothing. Assigned to me: a notification, and no tone with the sound off.
        await Server.CustomerWritesAsync(instance, someoneElses, "Alguém aí?");
        await Server.CustomerWritesAsync(instance, mine, "Meu pedido chegou?");
        await UntilAsync(page, "window.__notifications.length >= 1");
        await page.WaitForTimeoutAsync(1000);
        var titles = await page.EvaluateAsync<string[]>("window.__notifications.map(n => n.title)");
        Assert.That(titles, Is.EqualTo(new[] { "Dora Cliente wrote to you" }));
        Assert.That(await page.EvaluateAsync<int>("window.__tones"), Is.EqualTo(tonesBefore), "the sound is off");
    }
}
