using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>
/// The set-up screens of issue 22: tenants and the tenant in view (platform admin), WhatsApp numbers (Evolution and
/// Cloud API), and connecting WhatsApp by QR code against the fake Evolution, which posts QRCODE_UPDATED and
/// CONNECTION_UPDATE to the webhook the screen configured. axe-core runs on each screen, on a desktop and on a phone.
/// </summary>
public sealed class TenantsAndInstancesTests : BrowserTest
{
    /// <summary>The header's tenant picker; on a phone it is in the account menu, opened first.</summary>
    private static async Task<ILocator> TenantPickerAsync(IPage page)
    {
        var account = page.Locator("#account-toggle");
        if (await account.IsVisibleAsync() && await account.GetAttributeAsync("aria-expanded") != "true") await account.ClickAsync();
        return page.GetByLabel("Tenant in view");
    }

    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    private static async Task<string> CreatePlatformAdminAsync()
    {
        var email = NewEmail("platform");
        var response = await Server.Admin.PostAsJsonAsync("api/users",
            new { email, display_name = "Paula Admin", role = "platform_admin", password = InboxServer.Password });
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return email;
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_platform_admin_creates_and_edits_a_tenant_and_switches_the_inbox_between_tenants(int width, int height)
    {
        var bakery = Unique("Padaria");
        var florist = Unique("Floricultura");
        var (bakeryId, bakeryInstance) = await Server.CreateTenantAsync(bakery);
        var (floristId, floristInstance) = await Server.CreateTenantAsync(florist);
        var bakeryChat = Payloads.NewChatId();
        var floristChat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(bakeryInstance, bakeryChat, "Tem pão de queijo?", "Cliente da Padaria");
        await Server.CustomerWritesAsync(floristInstance, floristChat, "Vocês entregam rosas hoje?", "Cliente da Floricultura");
        var bakerySession = await Server.SessionIdAsync(bakeryId, bakeryChat);
        var floristSession = await Server.SessionIdAsync(floristId, floristChat);

        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, await CreatePlatformAdminAsync());

        // Every tenant in view: each conversation says whose it is.
        var bakeryItem = page.Locator($"#conversation-list li[data-session-id='{bakerySession}']");
        var floristItem = page.Locator($"#conversation-list li[data-session-id='{floristSession}']");
        await Expect(bakeryItem.GetByTestId("tenant-label")).ToHaveTextAsync($"Tenant: {bakery}");
        await Expect(floristItem.GetByTestId("tenant-label")).ToHaveTextAsync($"Tenant: {florist}");

        // The tenants screen: create one, edit it.
        await page.GotoAsync("/#/setup/tenants");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Tenants", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("tenants-table")).ToContainTextAsync(bakery);
        await AssertNoSeriousAxeViolationsAsync(page);
        var created = Unique("Sorveteria");
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(created);
        await page.GetByLabel("System prompt (optional)").FillAsync("Você é o assistente da sorveteria.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create tenant" }).ClickAsync();
        await Expect(page.GetByTestId("tenants-status")).ToHaveTextAsync($"Tenant \"{created}\" created.");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Edit: {created}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit tenant {created}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("System prompt (optional)")).ToHaveValueAsync("Você é o assistente da sorveteria.");
        var renamed = created + " Gelato";
        await page.GetByLabel("Name", new() { Exact = true }).FillAsync(renamed);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(page.GetByText("Saved.")).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Edit tenant {renamed}", Level = 1 })).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);
        var tenants = await Server.Admin.GetFromJsonAsync<JsonElement>("api/tenants?page_size=200");
        Assert.That(tenants.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("name").GetString()), Does.Contain(renamed));

        // Show one tenant in the inbox: only its conversations, without labels; the header's picker says which.
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to tenants" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Show in inbox: {bakery}" }).ClickAsync();
        await Expect(bakeryItem).ToBeVisibleAsync();
        await Expect(floristItem).ToHaveCountAsync(0);
        await Expect(bakeryItem.GetByTestId("tenant-label")).ToHaveCountAsync(0);
        var picker = page.GetByLabel("Tenant in view");
        await Expect(picker).ToHaveValueAsync(bakeryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AssertNoSeriousAxeViolationsAsync(page);

        // The picker switches it, and the choice outlives a reload.
        await (await TenantPickerAsync(page)).SelectOptionAsync(new SelectOptionValue { Label = florist });
        await Expect(floristItem).ToBeVisibleAsync();
        await Expect(bakeryItem).ToHaveCountAsync(0);
        await page.ReloadAsync();
        await Expect(floristItem).ToBeVisibleAsync();
        await Expect(bakeryItem).ToHaveCountAsync(0);
        await (await TenantPickerAsync(page)).SelectOptionAsync(new SelectOptionValue { Label = "All tenants" });
        await Expect(bakeryItem.GetByTestId("tenant-label")).ToHaveTextAsync($"Tenant: {bakery}");
        await Expect(floristItem).ToBeVisibleAsync();
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_instances_screen_adds_tests_configures_edits_and_deletes_Evolution_and_Cloud_API_numbers(int width, int height)
    {
        var tenantName = Unique("Mercado");
        var (tenantId, existing) = await Server.CreateTenantAsync(tenantName);
        var page = await NewPageAsync(width: width, height: height);
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await LoginAsync(page, await CreatePlatformAdminAsync());
        await (await TenantPickerAsync(page)).SelectOptionAsync(new SelectOptionValue { Label = tenantName });

        await page.GotoAsync("/#/setup/instances");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "WhatsApp numbers", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByText($"Numbers of {tenantName}.")).ToBeVisibleAsync();
        var table = page.GetByTestId("instances-table");
        await Expect(table).ToContainTextAsync(existing);
        await AssertNoSeriousAxeViolationsAsync(page);

        // An Evolution instance: added, tested and pointed at HybridFlow, one click each.
        var evolutionName = "ev-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Instance name").FillAsync(evolutionName);
        await page.GetByLabel("Evolution URL").FillAsync(Server.Evolution.BaseAddress.ToString());
        await page.GetByLabel("Instance token (apikey)").FillAsync(InboxServer.EvolutionApiKey);
        await page.GetByLabel("Webhook secret (optional, 16+ characters)").FillAsync(InboxServer.WebhookSecret);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add number" }).ClickAsync();
        var status = page.GetByTestId("instances-status");
        await Expect(status).ToHaveTextAsync($"Number \"{evolutionName}\" added.");
        await page.GetByRole(AriaRole.Button, new() { Name = $"Test: {evolutionName}" }).ClickAsync();
        await Expect(status).ToHaveTextAsync($"{evolutionName}: Evolution answers; WhatsApp is Connected.");
        await page.GetByLabel("HybridFlow's public URL (optional)").FillAsync(Server.BaseAddress.ToString().TrimEnd('/'));
        await page.GetByRole(AriaRole.Button, new() { Name = $"Configure webhook: {evolutionName}" }).ClickAsync();
        var webhookUrl = $"{Server.BaseAddress.ToString().TrimEnd('/')}/webhook/{evolutionName}";
        await Expect(status).ToHaveTextAsync($"{evolutionName}: Evolution now calls {webhookUrl}.");
        var stored = Server.Evolution.WebhookOf(evolutionName)!.Value;
        Assert.That(stored.GetProperty("url").GetString(), Is.EqualTo(webhookUrl));
        Assert.That(stored.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Does.Contain("QRCODE_UPDATED").And.Contain("CONNECTION_UPDATE"));

        // A Cloud API number: its secrets are write-only.
        const string accessToken = "EAAGbrowsertesttokenZQXW";
        var metaName = "cloud-" + Guid.NewGuid().ToString("N")[..8];
        await page.GetByLabel("Instance name").FillAsync(metaName);
        await page.GetByLabel("Channel").SelectOptionAsync("meta_cloud");
        await page.GetByLabel("Phone number id").FillAsync("1065" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999));
        await page.GetByLabel("Access token").FillAsync(accessToken);
        await page.GetByRole(AriaRole.Button, new() { Name = "Add number" }).ClickAsync();
        await Expect(status).ToHaveTextAsync($"Number \"{metaName}\" added.");
        var metaRow = table.Locator($"tr[data-instance='{metaName}']");
        await Expect(metaRow).ToContainTextAsync("Cloud API (Meta)");
        await Expect(metaRow.GetByRole(AriaRole.Button, new() { Name = $"Test: {metaName}" })).ToHaveCountAsync(0);

        await metaRow.GetByRole(AriaRole.Link, new() { Name = $"Edit: {metaName}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Number {metaName}", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Access token")).ToHaveValueAsync("");
        await Expect(page.Locator("#main")).ToContainTextAsync("Saved; type a new one to replace it.");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(accessToken).And.Not.Contain(accessToken[^4..]));
        await page.GetByLabel("WhatsApp Business Account id (optional)").FillAsync("102290129340398");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Saved.");
        await AssertNoSeriousAxeViolationsAsync(page);
        var saved = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/instances/{metaName}");
        Assert.That(saved.GetProperty("meta_waba_id").GetString(), Is.EqualTo("102290129340398"));

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "WhatsApp numbers", Level = 1 })).ToBeVisibleAsync();
        await Expect(table).ToContainTextAsync(evolutionName);
        await Expect(table.Locator($"tr[data-instance='{metaName}']")).ToHaveCountAsync(0);
        var gone = await Server.Admin.GetAsync($"api/instances/{metaName}?tenant_id={tenantId}");
        Assert.That((int)gone.StatusCode, Is.EqualTo(404));
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task A_tenant_admin_connects_WhatsApp_by_QR_code_and_sees_it_connected_live(int width, int height)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync(Unique("Açougue"));
        var adminEmail = NewEmail("dono");
        await Server.CreateUserAsync(tenantId, adminEmail, "Dono do Açougue", "tenant_admin");
        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, adminEmail);

        await page.GotoAsync("/#/setup/instances");
        await page.GetByRole(AriaRole.Link, new() { Name = $"Edit / Connect WhatsApp: {instance}" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = $"Number {instance}", Level = 1 })).ToBeVisibleAsync();
        var state = page.GetByTestId("connection-state");
        await Expect(state).ToHaveTextAsync("Connection unknown");

        // Evolution must call HybridFlow first: the QR code and the link's state come back by webhook.
        await page.GetByLabel("HybridFlow's public URL (optional)").FillAsync(Server.BaseAddress.ToString().TrimEnd('/'));
        await page.GetByRole(AriaRole.Button, new() { Name = "Configure webhook" }).ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToContainTextAsync("Evolution now calls");

        await page.GetByTestId("connect").ClickAsync();
        var qr = page.GetByRole(AriaRole.Img, new() { Name = $"QR code that links WhatsApp to {instance}. If you cannot scan it, use the pairing code." });
        await Expect(qr).ToBeVisibleAsync();
        await Expect(qr).ToHaveAttributeAsync("src", FakeEvolutionServer.QrCodeDataUrl(instance, 1));
        await Expect(page.GetByTestId("pairing-code")).ToHaveTextAsync($"Pairing code: {FakeEvolutionServer.FakePairingCode}");
        await Expect(state).ToHaveTextAsync("Waiting for the scan…");
        Assert.That(await qr.EvaluateAsync<bool>("img => img.complete && img.naturalWidth > 0"), Is.True, "the QR code is a real image");
        await AssertNoSeriousAxeViolationsAsync(page);

        // Evolution renews the code: the screen shows the new one without a click.
        var renewed = await Server.Evolution.RenewQrCodeAsync(instance);
        await Expect(qr).ToHaveAttributeAsync("src", renewed);

        // The phone scans it: CONNECTION_UPDATE open, and the screen says connected, the code gone.
        await Server.Evolution.LinkAsync(instance);
        await Expect(state).ToHaveTextAsync("Connected");
        await Expect(page.GetByTestId("qr-holder").Locator("img")).ToHaveCountAsync(0);
        await AssertNoSeriousAxeViolationsAsync(page);

        // An agent of the same tenant has no way to it.
        var agentEmail = NewEmail("agente");
        await Server.CreateUserAsync(tenantId, agentEmail, "Agente", "agent");
        var agent = await NewPageAsync(width: width, height: height);
        await LoginAsync(agent, agentEmail);
        await Expect(agent.GetByRole(AriaRole.Link, new() { Name = "Set up" })).ToHaveCountAsync(0);
        await agent.GotoAsync($"/#/setup/instances/{instance}");
        await Expect(agent.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Expect(agent.Locator("img.qr-code")).ToHaveCountAsync(0);
    }

    [Test]
    public async Task Connect_creates_the_instance_on_Evolution_with_the_write_only_global_key_then_configures_its_webhook()
    {
        var (tenantId, instance) = await Server.CreateTenantAsync(Unique("Quitanda"));
        var adminEmail = NewEmail("quitanda");
        await Server.CreateUserAsync(tenantId, adminEmail, "Dona da Quitanda", "tenant_admin");
        Server.Evolution.ForgetInstance(instance);
        var page = await NewPageAsync();
        await LoginAsync(page, adminEmail);
        await page.GotoAsync($"/#/setup/instances/{instance}");

        // The global key is saved, and never shown again.
        var globalKey = Server.Evolution.GlobalApiKey;
        await page.GetByLabel("Evolution global key (optional)").FillAsync(globalKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Saved.");
        await Expect(page.GetByLabel("Evolution global key (optional)")).ToHaveValueAsync("");
        await page.ReloadAsync();
        await Expect(page.Locator("#main")).ToContainTextAsync("creates the instance on Evolution when it does not exist there yet. Saved; type a new one to replace it.");
        Assert.That(await page.ContentAsync(), Does.Not.Contain(globalKey));

        await page.GetByLabel("HybridFlow's public URL (optional)").FillAsync(Server.BaseAddress.ToString().TrimEnd('/'));
        await page.GetByTestId("connect").ClickAsync();
        await Expect(page.GetByTestId("instance-status")).ToContainTextAsync("The instance was created on Evolution; its webhook was configured.");
        await Expect(page.GetByRole(AriaRole.Img, new() { NameRegex = new System.Text.RegularExpressions.Regex("^QR code that links WhatsApp") })).ToBeVisibleAsync();
        Assert.That(Server.Evolution.CreatedInstances[instance], Is.EqualTo(InboxServer.EvolutionApiKey), "created with the instance token HybridFlow holds");
        Assert.That(Server.Evolution.WebhookOf(instance)!.Value.GetProperty("url").GetString(),
            Is.EqualTo($"{Server.BaseAddress.ToString().TrimEnd('/')}/webhook/{instance}"));

        await Server.Evolution.LinkAsync(instance);
        await Expect(page.GetByTestId("connection-state")).ToHaveTextAsync("Connected");
    }
}
