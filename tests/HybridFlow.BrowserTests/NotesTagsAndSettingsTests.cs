using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

public sealed class NotesTagsAndSettingsTests : BrowserTest
{
    [Test]
    public async Task A_note_stays_internal_and_a_tag_filters_the_list()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var chat = Payloads.NewChatId();
        var other = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Quero 50 salgados para sexta", "Rita Campos");
        await Server.CustomerWritesAsync(instance, other, "Só olhando");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        var otherSession = await Server.SessionIdAsync(tenantId, other);

        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "Note" }).CheckAsync();
        var note = page.GetByLabel("Internal note", new() { Exact = true });
        await note.FillAsync("Cliente antiga, dar desconto de 10%");
        await note.PressAsync("Enter");
        await Expect(page.Locator("#timeline .bubble.note .text")).ToHaveTextAsync("Cliente antiga, dar desconto de 10%");
        await Expect(page.Locator("#timeline .bubble.note .sender")).ToContainTextAsync("Ana Lima");
        Assert.That(Server.SentTexts(chat), Has.None.Contains("desconto"), "a note never reaches WhatsApp");

        await page.GetByLabel("Add tag").FillAsync("Encomenda");
        await page.GetByLabel("Add tag").PressAsync("Enter");
        await Expect(page.Locator(".tag-list .tag")).ToContainTextAsync("encomenda");
        await Expect(page.Locator($"#conversation-list li[data-session-id='{sessionId}'] .tag")).ToHaveTextAsync("encomenda");

        await page.GetByLabel("Tag", new() { Exact = true }).FillAsync("encomenda");
        await page.GetByLabel("Tag", new() { Exact = true }).PressAsync("Enter");
        await Expect(page.Locator($"#conversation-list li[data-session-id='{otherSession}']")).ToHaveCountAsync(0);
        await Expect(page.Locator($"#conversation-list li[data-session-id='{sessionId}']")).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Remove tag encomenda" }).ClickAsync();
        await Expect(page.Locator(".tag-list .tag")).ToHaveCountAsync(0);
        await ScreenshotAsync(page, "note-and-tags");
    }

    [Test]
    public async Task A_tenant_admin_changes_the_prompt_quiet_period_hours_and_handoff_from_the_settings_page()
    {
        var (tenantId, _) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var page = await NewPageAsync();
        await LoginAsync(page, email);
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();

        await Expect(page.GetByLabel("System prompt")).ToHaveValueAsync("Você é o assistente da Padaria Demo.");
        await page.GetByLabel("System prompt").FillAsync("Você é a Padaria Demo. Seja breve.");
        await page.GetByLabel("Quiet period (minutes)").FillAsync("45");
        await page.GetByLabel("Time zone").FillAsync("America/Sao_Paulo");
        await page.GetByLabel("Always open").UncheckAsync();
        await page.GetByLabel("Monday").FillAsync("25:00-18:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Monday");

        await page.GetByLabel("Monday").FillAsync("09:00-12:00, 14:00-18:00");
        await page.GetByLabel("Saturday").FillAsync("08:00-12:00");
        await page.GetByLabel("Handoff phrases").FillAsync("atendente\nfalar com gente");
        await page.GetByLabel("Handoff message").FillAsync("Já chamo alguém da equipe!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Settings saved." })).ToBeVisibleAsync();
        await ScreenshotAsync(page, "settings");

        var tenant = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tenant.GetProperty("system_prompt").GetString(), Is.EqualTo("Você é a Padaria Demo. Seja breve."));
            Assert.That(tenant.GetProperty("resume_after_minutes").GetInt32(), Is.EqualTo(45));
            Assert.That(tenant.GetProperty("timezone").GetString(), Is.EqualTo("America/Sao_Paulo"));
            Assert.That(tenant.GetProperty("business_hours").GetProperty("mon").GetRawText(),
                Is.EqualTo("""[["09:00","12:00"],["14:00","18:00"]]"""));
            Assert.That(tenant.GetProperty("business_hours").GetProperty("sat").GetRawText(), Is.EqualTo("""[["08:00","12:00"]]"""));
            Assert.That(tenant.GetProperty("business_hours").TryGetProperty("sun", out _), Is.False, "an empty day is closed");
            Assert.That(tenant.GetProperty("handoff_keywords").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { "atendente", "falar com gente" }));
            Assert.That(tenant.GetProperty("handoff_message").GetString(), Is.EqualTo("Já chamo alguém da equipe!"));
        }

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Monday")).ToHaveValueAsync("09:00-12:00, 14:00-18:00");
        await Expect(page.GetByLabel("Quiet period (minutes)")).ToHaveValueAsync("45");
    }
}
