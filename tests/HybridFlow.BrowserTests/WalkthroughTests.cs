using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>
/// The README's quickstart, click by click (issue 22's "done when"): the platform admin from ADMIN_EMAIL logs in, creates
/// a tenant and its admin, adds the tenant's WhatsApp number and connects it by QR code (the fake Evolution plays the
/// phone); the tenant admin, in by the one-time link, sets hours and handoff, tries the bot, then watches a customer's
/// conversation arrive, answered by the bot, and takes it over.
/// </summary>
public sealed class WalkthroughTests : BrowserTest
{
    [Test]
    public async Task A_new_business_is_set_up_and_running_from_the_browser_alone()
    {
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var tenantName = $"Padaria Aurora {suffix}";
        var ownerEmail = NewEmail("aurora");
        const string ownerPassword = "Pão-de-queijo-quentinho-7";
        var instance = "aurora-" + string.Concat(suffix.Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));

        // 1. The platform admin creates the tenant and its admin.
        var platform = await NewPageAsync();
        await LoginAsync(platform, InboxServer.PlatformAdminEmail);
        await platform.GetByRole(AriaRole.Link, new() { Name = "Set up" }).ClickAsync();
        await platform.GetByRole(AriaRole.Link, new() { Name = "Tenants" }).ClickAsync();
        await platform.GetByLabel("Name", new() { Exact = true }).FillAsync(tenantName);
        await platform.GetByLabel("System prompt (optional)").FillAsync("Você é o assistente da Padaria Aurora. Abrimos das 7h às 19h.");
        await platform.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(platform.GetByTestId("tenants-status")).ToHaveTextAsync($"Tenant \"{tenantName}\" created.");
        await platform.GetByRole(AriaRole.Button, new() { Name = $"Show in inbox: {tenantName}" }).ClickAsync();
        await Expect(platform.GetByLabel("Tenant in view")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"^\d+$"));

        await platform.GotoAsync("/#/setup/users");
        await platform.GetByLabel("Email", new() { Exact = true }).FillAsync(ownerEmail);
        await platform.GetByLabel("Name", new() { Exact = true }).FillAsync("Aurora Dona");
        await platform.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("tenant_admin");
        await platform.GetByRole(AriaRole.Button, new() { Name = "Create and get a link" }).ClickAsync();
        var link = await platform.GetByTestId("one-time-link").InputValueAsync();

        // 2. The number, connected by QR code: Evolution calls HybridFlow's webhook with the code, the phone scans it.
        await platform.GotoAsync("/#/setup/instances");
        await platform.GetByLabel("Instance name").FillAsync(instance);
        await platform.GetByLabel("Evolution URL").FillAsync(Server.Evolution.BaseAddress.ToString());
        await platform.GetByLabel("Instance token (apikey)").FillAsync(InboxServer.EvolutionApiKey);
        await platform.GetByLabel("Webhook secret (optional, 16+ characters)").FillAsync(InboxServer.WebhookSecret);
        await platform.GetByRole(AriaRole.Button, new() { Name = "Add number" }).ClickAsync();
        await Expect(platform.GetByTestId("instances-status")).ToHaveTextAsync($"Number \"{instance}\" added.");
        await platform.GetByRole(AriaRole.Link, new() { Name = $"Edit / Connect WhatsApp: {instance}" }).ClickAsync();
        await platform.GetByLabel("HybridFlow's public URL (optional)").FillAsync(Server.BaseAddress.ToString().TrimEnd('/'));
        await platform.GetByRole(AriaRole.Button, new() { Name = "Configure webhook" }).ClickAsync();
        await Expect(platform.GetByTestId("instance-status")).ToContainTextAsync("Evolution now calls");
        await platform.GetByTestId("connect").ClickAsync();
        await Expect(platform.GetByRole(AriaRole.Img, new() { Name = $"QR code that links WhatsApp to {instance}. If you cannot scan it, use the pairing code." }))
            .ToBeVisibleAsync();
        await Server.Evolution.LinkAsync(instance);
        await Expect(platform.GetByTestId("connection-state")).ToHaveTextAsync("Connected");

        // 3. The tenant's admin opens the link elsewhere, chooses a password, and is in.
        var owner = await NewPageAsync();
        await owner.GotoAsync(link);
        await owner.GetByLabel("New password", new() { Exact = true }).FillAsync(ownerPassword);
        await owner.GetByLabel("Repeat the password", new() { Exact = true }).FillAsync(ownerPassword);
        await owner.GetByRole(AriaRole.Button, new() { Name = "Save and sign in" }).ClickAsync();
        await Expect(owner.Locator(".user-name")).ToHaveTextAsync("Aurora Dona");

        // 4. Hours and handoff.
        await owner.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await owner.GetByLabel("Language of the automatic texts").SelectOptionAsync("pt");
        await owner.GetByLabel("Time zone").FillAsync("America/Sao_Paulo");
        await owner.GetByLabel("Always open").UncheckAsync();
        // Open all day, every day, so that the customer below is answered by the bot whenever the test runs.
        foreach (var day in new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" })
            await owner.GetByLabel(day).FillAsync("00:00-23:59");
        await owner.GetByLabel("Outside business hours").SelectOptionAsync(new SelectOptionValue { Label = "Send the away message once, then wait" });
        await owner.GetByLabel("Away message").FillAsync("Estamos fechados agora. Voltamos às 7h!");
        await owner.GetByLabel("Handoff phrases").FillAsync("atendente\nfalar com alguém");
        await owner.GetByLabel("Handoff message").FillAsync("Já chamei alguém da equipe, um momento!");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(owner.GetByRole(AriaRole.Status).Filter(new() { HasText = "Settings saved." })).ToBeVisibleAsync();

        var tenants = await Server.Admin.GetFromJsonAsync<JsonElement>("api/tenants?page_size=200");
        var tenant = tenants.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("name").GetString() == tenantName);
        Assert.That(tenant.GetProperty("timezone").GetString(), Is.EqualTo("America/Sao_Paulo"));
        Assert.That(tenant.GetProperty("language").GetString(), Is.EqualTo("pt"));
        Assert.That(tenant.GetProperty("outside_hours").GetString(), Is.EqualTo("away_message"));
        Assert.That(tenant.GetProperty("handoff_keywords").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { "atendente", "falar com alguém" }));

        // 5. Try the bot: the tenant's own prompt, nothing sent to WhatsApp.
        var sendsBefore = Server.Evolution.Requests.Count;
        await owner.GetByLabel("Message as the customer").FillAsync("Vocês abrem amanhã?");
        await owner.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();
        var transcript = owner.GetByRole(AriaRole.List, new() { Name = "The conversation so far" });
        await Expect(transcript.GetByRole(AriaRole.Listitem).Nth(1)).ToContainTextAsync(InboxServer.BotReply);
        Assert.That(Server.Llm.Requests[^1].Body, Does.Contain("Você é o assistente da Padaria Aurora."));
        Assert.That(Server.Evolution.Requests.Count, Is.EqualTo(sendsBefore), "trying the bot sends nothing");

        // 6. A customer writes: the conversation shows up live, the bot answers; the owner takes over.
        await owner.GetByRole(AriaRole.Link, new() { Name = "Inbox" }).ClickAsync();
        await Expect(owner.Locator("#conversation-list")).ToBeAttachedAsync();
        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Bom dia! Tem pão de queijo?", "Rita Cliente");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the bot answered the customer");
        var item = owner.Locator("#conversation-list li").Filter(new() { HasText = "Rita Cliente" });
        await Expect(item).ToBeVisibleAsync();
        await item.GetByRole(AriaRole.Link).ClickAsync();
        await Expect(owner.Locator("#timeline .bubble.bot")).ToHaveCountAsync(1);

        const string personal = "Oi Rita, aqui é a Aurora! Separei seis pães de queijo para você.";
        var composer = owner.GetByLabel("Message", new() { Exact = true });
        await composer.FillAsync(personal);
        await composer.PressAsync("Enter");
        await Expect(owner.Locator("#conversation-status")).ToHaveAttributeAsync("data-paused", "true");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Contains(personal), "the person's message went out");
        var after = await Server.CustomerWritesAsync(instance, chat, "Obrigada!");
        Assert.That(after, Is.Not.EqualTo("ai_queued"), "the bot stays quiet while the person has the chat");
        await ScreenshotAsync(owner, "walkthrough-takeover");
    }
}
