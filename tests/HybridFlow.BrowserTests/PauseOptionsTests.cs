using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>The inbox's pause options: the tenant's quiet period (decided by the server) and "until I resume".</summary>
public sealed class PauseOptionsTests : BrowserTest
{
    private const int QuietPeriodMinutes = 45;

    [Test]
    public async Task An_agent_pauses_for_the_tenants_quiet_period_by_default_and_until_resumed_as_its_own_option()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var patch = await Server.Admin.PatchAsJsonAsync($"api/tenants/{tenantId}", new { resume_after_minutes = QuietPeriodMinutes });
        Assert.That((int)patch.StatusCode, Is.EqualTo(200), await patch.Content.ReadAsStringAsync());
        var email = NewEmail("bia");
        await Server.CreateUserAsync(tenantId, email, "Bia Costa", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Vocês entregam no sábado?", "Rita Alves");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered first");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var pauseFor = page.GetByLabel("Pause for");
        await Expect(pauseFor).ToHaveValueAsync("quiet_period");
        await Expect(pauseFor.Locator("option:checked")).ToHaveTextAsync("the quiet period");

        var before = DateTimeOffset.UtcNow;
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause bot" }).ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Expect(page.Locator("#conversation-status")).ToContainTextAsync("Paused until");
        var after = DateTimeOffset.UtcNow;
        var paused = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations/{sessionId}");
        Assert.That(paused.GetProperty("paused_until").GetDateTimeOffset(),
            Is.InRange(before.AddMinutes(QuietPeriodMinutes), after.AddMinutes(QuietPeriodMinutes)), "now + the tenant's quiet period");
        var pauses = page.Locator("#timeline li.event[data-action='manual_pause']");
        await Expect(pauses.Last).ToContainTextAsync($"for the quiet period ({QuietPeriodMinutes} minutes)");
        await ScreenshotAsync(page, "paused-quiet-period");

        await page.GetByRole(AriaRole.Button, new() { Name = "Hand back to the bot" }).ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "false");
        await page.GetByLabel("Pause for").SelectOptionAsync(new SelectOptionValue { Label = "until I resume" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause bot" }).ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("Paused");
        var forever = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations/{sessionId}");
        Assert.That(forever.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "until resumed");
        await Expect(pauses).ToHaveCountAsync(2);
        await Expect(pauses.Last).ToContainTextAsync("until resumed");
        await ScreenshotAsync(page, "paused-until-resumed");
    }

    [Test]
    public async Task A_pause_length_being_chosen_is_kept_when_a_live_event_redraws_the_header()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("davi");
        await Server.CreateUserAsync(tenantId, email, "Davi Lima", "agent");
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Vocês abrem no feriado?", "Ana Prado");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered first");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        var timeline = page.Locator("#timeline");
        await Expect(timeline.Locator(".bubble.bot")).ToHaveCountAsync(1);
        await page.GetByLabel("Pause for").SelectOptionAsync(new SelectOptionValue { Label = "until I resume" });

        // The customer writes, and the bot answers: each event redraws the open conversation's header.
        await Server.CustomerWritesAsync(instance, chat, "E no domingo?");
        await Expect(timeline.Locator(".bubble.bot")).ToHaveCountAsync(2);
        await Expect(page.GetByLabel("Pause for")).ToHaveValueAsync("until_resumed");

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause bot" }).ClickAsync();
        await Expect(page.Locator("#conversation-status")).ToHaveTextAsync("Paused");
        var paused = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/conversations/{sessionId}");
        Assert.That(paused.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "paused until resumed, as chosen");
    }
}
