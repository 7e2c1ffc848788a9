using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.BrowserTests.Support;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace HybridFlow.BrowserTests;

/// <summary>The complete settings page (issue 22 item 2), try the bot, and saved replies from settings to the composer's "/".</summary>
public sealed class BotSettingsTests : BrowserTest
{
    private async Task<(long TenantId, string Instance, IPage Page)> TenantAdminOnSettingsAsync(int width = 1280, int height = 800)
    {
        var (tenantId, instance) = await Server.CreateTenantAsync();
        var email = NewEmail("ana");
        await Server.CreateUserAsync(tenantId, email, "Ana Lima", "tenant_admin");
        var page = await NewPageAsync(width: width, height: height);
        await LoginAsync(page, email);
        await page.GotoAsync("/#/settings");
        await Expect(page.GetByLabel("System prompt")).ToHaveValueAsync("Você é o assistente da Padaria Demo.");
        return (tenantId, instance, page);
    }

    private static async Task SaveAsync(IPage page)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Settings saved." })).ToBeVisibleAsync();
    }

    [Test]
    public async Task The_complete_settings_page_saves_and_reloads_every_group()
    {
        var (tenantId, _, page) = await TenantAdminOnSettingsAsync();
        foreach (var legend in new[] { "The bot", "Pauses", "Business hours", "Handoff to a person", "Typing and splitting", "Voice notes and photos", "Late messages" })
            await Expect(page.GetByRole(AriaRole.Group, new() { Name = legend })).ToBeVisibleAsync();
        Assert.That(await page.GetByLabel("Tokens a month on the platform’s account").CountAsync(), Is.Zero, "only the platform admin sets the budget");

        // The model list comes from the server: the platform's default for the chosen provider.
        var model = page.GetByLabel("Model", new() { Exact = true });
        await Expect(model.Locator("option").First).ToHaveTextAsync("Default (gpt-test)");
        await page.GetByLabel("Own model key").FillAsync("sk-tenant-own-key-1234");
        await page.GetByLabel("Messages of history sent to the model").FillAsync("12");
        await page.GetByLabel("History token budget").FillAsync("4000");
        await page.GetByLabel("Wait for more messages (seconds)").FillAsync("7");
        await page.GetByLabel("Quiet period (minutes)").FillAsync("30");
        await page.GetByLabel("Pause the bot when someone answers from the phone").UncheckAsync();
        await page.GetByLabel("Time zone").FillAsync("America/Sao_Paulo");
        await page.GetByLabel("Always open").UncheckAsync();
        await page.GetByLabel("Friday").FillAsync("09:00-18:00");
        await page.GetByLabel("Outside business hours").SelectOptionAsync(new SelectOptionValue { Label = "Stay silent" });
        await page.GetByLabel("Notify URL").FillAsync("https://hooks.example.com/handoff");
        // The notify POST is signed with the workflow secret (write-only).
        await page.GetByLabel("Workflow secret").FillAsync("a-long-workflow-secret-0123");
        await page.GetByLabel("Show “typing…” before a reply").UncheckAsync();
        await page.GetByLabel("Typing time per character (ms)").FillAsync("40");
        await page.GetByLabel("Split long replies into several messages").UncheckAsync();
        await page.GetByLabel("At most this many messages per reply").FillAsync("2");
        await page.GetByLabel("Vision model").FillAsync("gpt-vision-test");
        await page.GetByLabel("Answer to media the bot cannot understand").FillAsync("Só entendo texto, desculpe.");
        await page.GetByLabel("Stale-message age (minutes)").FillAsync("90");
        await SaveAsync(page);

        var tenant = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tenant.GetProperty("llm_api_key").GetString(), Does.EndWith("1234"), "the key was saved (shown masked)");
            Assert.That(tenant.GetProperty("history_messages").GetInt32(), Is.EqualTo(12));
            Assert.That(tenant.GetProperty("history_token_budget").GetInt32(), Is.EqualTo(4000));
            Assert.That(tenant.GetProperty("debounce_seconds").GetInt32(), Is.EqualTo(7));
            Assert.That(tenant.GetProperty("resume_after_minutes").GetInt32(), Is.EqualTo(30));
            Assert.That(tenant.GetProperty("external_sends_pause").GetBoolean(), Is.False);
            Assert.That(tenant.GetProperty("timezone").GetString(), Is.EqualTo("America/Sao_Paulo"));
            Assert.That(tenant.GetProperty("business_hours").GetRawText(), Is.EqualTo("""{"fri":[["09:00","18:00"]]}"""));
            Assert.That(tenant.GetProperty("outside_hours").GetString(), Is.EqualTo("silent"));
            Assert.That(tenant.GetProperty("notify_url").GetString(), Is.EqualTo("https://hooks.example.com/handoff"));
            Assert.That(tenant.GetProperty("workflow_secret").GetString(), Is.Not.Null.And.Not.EqualTo("a-long-workflow-secret-0123"), "set, shown masked");
            Assert.That(tenant.GetProperty("typing_indicator").GetBoolean(), Is.False);
            Assert.That(tenant.GetProperty("typing_ms_per_char").GetInt32(), Is.EqualTo(40));
            Assert.That(tenant.GetProperty("split_messages").GetBoolean(), Is.False);
            Assert.That(tenant.GetProperty("max_reply_parts").GetInt32(), Is.EqualTo(2));
            Assert.That(tenant.GetProperty("vision_model").GetString(), Is.EqualTo("gpt-vision-test"));
            Assert.That(tenant.GetProperty("unsupported_media_reply").GetString(), Is.EqualTo("Só entendo texto, desculpe."));
            Assert.That(tenant.GetProperty("stale_message_minutes").GetInt32(), Is.EqualTo(90));
        }
        var stored = await ConversationColumnAsync(tenantId);
        Assert.That(stored, Does.Not.Contain("handoff_message").And.Not.Contain("away_message"),
            "the default texts were not changed, so they are not stored: they keep following the defaults");

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Own model key")).ToHaveValueAsync("");
        await Expect(page.GetByLabel("Workflow secret")).ToHaveValueAsync("");
        await Expect(page.GetByText("A key of its own is set (ends in 1234).")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Messages of history sent to the model")).ToHaveValueAsync("12");
        await Expect(page.GetByLabel("Wait for more messages (seconds)")).ToHaveValueAsync("7");
        await Expect(page.GetByLabel("Pause the bot when someone answers from the phone")).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("Friday")).ToHaveValueAsync("09:00-18:00");
        await Expect(page.GetByLabel("Outside business hours")).ToHaveValueAsync("silent");
        await Expect(page.GetByLabel("Split long replies into several messages")).Not.ToBeCheckedAsync();
        await Expect(page.GetByLabel("At most this many messages per reply")).ToHaveValueAsync("2");
        await Expect(page.GetByLabel("Stale-message age (minutes)")).ToHaveValueAsync("90");

        // A bad value is refused by the server: the error is announced and the field marked.
        await page.GetByLabel("At most this many messages per reply").FillAsync("50");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("max_reply_parts");
        await Expect(page.GetByLabel("At most this many messages per reply")).ToHaveAttributeAsync("aria-invalid", "true");
        await ScreenshotAsync(page, "settings-complete");
    }

    [Test]
    public async Task Business_hours_with_the_away_message_answer_a_customer_who_writes_while_closed()
    {
        var (tenantId, instance, page) = await TenantAdminOnSettingsAsync();
        var hint = page.GetByText("Business hours change nothing while the bot answers as usual outside them.");
        await Expect(hint).ToBeHiddenAsync();
        // Open half an hour a day, twelve hours from now: closed now.
        var open = (DateTime.UtcNow.Hour + 12) % 24;
        await page.GetByLabel("Time zone").FillAsync("UTC");
        await page.GetByLabel("Always open").UncheckAsync();
        await Expect(hint).ToBeVisibleAsync();
        foreach (var day in new[] { "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday" })
            await page.GetByLabel(day).FillAsync($"{open:00}:00-{open:00}:30");
        await page.GetByLabel("Outside business hours").SelectOptionAsync(new SelectOptionValue { Label = "Send the away message once, then wait" });
        await Expect(hint).ToBeHiddenAsync();
        await page.GetByLabel("Away message").FillAsync("Estamos fechados agora. Voltamos logo!");
        await SaveAsync(page);

        var tenant = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}");
        Assert.That(tenant.GetProperty("outside_hours").GetString(), Is.EqualTo("away_message"));
        Assert.That(tenant.GetProperty("away_message").GetString(), Is.EqualTo("Estamos fechados agora. Voltamos logo!"));

        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Vocês estão abertos?", "Maria Souza");
        await Eventually.HoldsAsync(() => Server.SentTexts(chat).Count == 1, "the customer got an answer while closed");
        Assert.That(Server.SentTexts(chat), Is.EqualTo(new[] { "Estamos fechados agora. Voltamos logo!" }), "the away message, not the bot's reply");

        await page.ReloadAsync();
        await Expect(page.GetByLabel("Outside business hours")).ToHaveValueAsync("away_message");
        await Expect(page.GetByLabel("Away message")).ToHaveValueAsync("Estamos fechados agora. Voltamos logo!");
    }

    [Test]
    public async Task Try_the_bot_shows_the_reply_parts_keeps_the_conversation_and_says_when_it_would_hand_off()
    {
        var (_, _, page) = await TenantAdminOnSettingsAsync();
        var sendsBefore = Server.Evolution.Requests.Count;
        var callsBefore = Server.Llm.Requests.Count;
        Server.Llm.ReplyText = "Abrimos às 7h.\n\nFechamos às 19h.";
        try
        {
            var message = page.GetByLabel("Message as the customer");
            await message.FillAsync("Vocês abrem amanhã?");
            await page.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();
            var transcript = page.GetByRole(AriaRole.List, new() { Name = "The conversation so far" });
            await Expect(transcript.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(3);
            await Expect(transcript.GetByRole(AriaRole.Listitem).Nth(1)).ToContainTextAsync("Abrimos às 7h.");
            await Expect(transcript.GetByRole(AriaRole.Listitem).Nth(2)).ToContainTextAsync("Fechamos às 19h.");
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "The bot would answer in 2 message(s)." })).ToBeVisibleAsync();

            // The follow-up carries what was said before; Enter sends, as in the composer.
            await message.FillAsync("E no domingo?");
            await message.PressAsync("Enter");
            await Expect(transcript.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(6);
            var last = Server.Llm.Requests[^1].Body;
            Assert.That(last, Does.Contain("Vocês abrem amanhã?").And.Contain("Fechamos às 19h.").And.Contain("E no domingo?"));
            Assert.That(last, Does.Contain("Você é o assistente da Padaria Demo."), "the tenant's own prompt");

            // A handoff phrase: a person would take over, without a model call.
            await message.FillAsync("Quero falar com um atendente");
            await page.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "A person would take over (a handoff phrase)." })).ToBeVisibleAsync();
            Assert.That(Server.Llm.Requests.Count - callsBefore, Is.EqualTo(2));
            Assert.That(Server.Evolution.Requests.Count, Is.EqualTo(sendsBefore), "nothing went to WhatsApp");
            await ScreenshotAsync(page, "try-the-bot");

            await page.GetByRole(AriaRole.Button, new() { Name = "Start over" }).ClickAsync();
            await Expect(transcript.GetByRole(AriaRole.Listitem)).ToHaveCountAsync(0);
            await Expect(message).ToBeFocusedAsync();
        }
        finally
        {
            Server.Llm.ReplyText = InboxServer.BotReply;
        }
    }

    [Test]
    public async Task Saved_replies_are_kept_in_settings_and_typing_slash_in_the_composer_fills_one_in()
    {
        var (tenantId, instance, page) = await TenantAdminOnSettingsAsync();
        await page.GetByLabel("Shortcut", new() { Exact = true }).FillAsync("hours");
        await page.GetByLabel("Reply text").FillAsync("Olá {{contact_name}}! Abrimos das 9h às 18h. {{agent_name}}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add saved reply" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved reply /hours added." })).ToBeVisibleAsync();
        await page.GetByLabel("Shortcut", new() { Exact = true }).FillAsync("hello");
        await page.GetByLabel("Reply text").FillAsync("Oi {{contact_name}}, tudo bem?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add saved reply" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved reply /hello added." })).ToBeVisibleAsync();
        await page.GetByLabel("Shortcut", new() { Exact = true }).FillAsync("hours");
        await page.GetByLabel("Reply text").FillAsync("outra");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add saved reply" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("The shortcut /hours is already used.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Edit /hello" }).ClickAsync();
        await page.GetByLabel("Reply text").FillAsync("Oi {{contact_name}}, em que posso ajudar?");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved reply /hello changed." })).ToBeVisibleAsync();

        var chat = Payloads.NewChatId();
        await Server.CustomerWritesAsync(instance, chat, "Que horas vocês abrem?", "Maria Souza");
        var sessionId = await Server.SessionIdAsync(tenantId, chat);
        var agentEmail = NewEmail("bruno");
        await Server.CreateUserAsync(tenantId, agentEmail, "Bruno Alves", "agent");
        var agent = await NewPageAsync();
        await LoginAsync(agent, agentEmail);
        await agent.Locator($"#conversation-list li[data-session-id='{sessionId}'] a").ClickAsync();

        var composer = agent.GetByLabel("Message", new() { Exact = true });
        await composer.PressSequentiallyAsync("/h");
        var list = agent.GetByRole(AriaRole.Listbox, new() { Name = "Saved replies" });
        await Expect(list.GetByRole(AriaRole.Option)).ToHaveCountAsync(2);
        await Expect(list.GetByRole(AriaRole.Option, new() { Selected = true })).ToContainTextAsync("/hello");
        await Expect(composer).ToHaveAttributeAsync("aria-activedescendant", new System.Text.RegularExpressions.Regex(".+"));
        await composer.PressAsync("ArrowDown");
        await Expect(list.GetByRole(AriaRole.Option, new() { Selected = true })).ToContainTextAsync("/hours");
        await composer.PressAsync("Enter");
        await Expect(composer).ToHaveValueAsync("Olá Maria Souza! Abrimos das 9h às 18h. Bruno Alves");
        await Expect(list).ToBeHiddenAsync();
        Assert.That(Server.SentTexts(chat), Does.Not.Contain("Olá Maria Souza! Abrimos das 9h às 18h. Bruno Alves"), "Enter chose the reply, it did not send");

        // Escape closes the list and keeps the text; typing narrows it.
        await composer.FillAsync("");
        await composer.PressSequentiallyAsync("/hel");
        await Expect(list.GetByRole(AriaRole.Option)).ToHaveCountAsync(1);
        await composer.PressAsync("Escape");
        await Expect(list).ToBeHiddenAsync();
        await Expect(composer).ToHaveValueAsync("/hel");
        await ScreenshotAsync(agent, "saved-replies-composer");

        // Deleted in settings: gone from the list the next time the composer is drawn.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete /hours" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Saved reply /hours deleted." })).ToBeVisibleAsync();
        var replies = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/inbox/saved-replies?tenant_id={tenantId}");
        Assert.That(replies.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("shortcut").GetString()), Is.EqualTo(new[] { "hello" }));
    }

    [Test]
    public async Task The_platform_admin_opens_Settings_for_the_tenant_in_view_and_sets_its_token_budget()
    {
        var (tenantId, _) = await Server.CreateTenantAsync("Padaria Centro");
        var (otherId, _) = await Server.CreateTenantAsync("Padaria Norte");
        var email = NewEmail("root");
        var created = await Server.Admin.PostAsJsonAsync("api/users",
            new { email, display_name = "Paula Root", role = "platform_admin", password = InboxServer.Password });
        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        var page = await NewPageAsync();
        await LoginAsync(page, email);

        // No tenant in view: the page asks for one.
        await page.GetByRole(AriaRole.Link, new() { Name = "Settings" }).ClickAsync();
        await Expect(page.GetByText("Choose a tenant to see its settings.")).ToBeVisibleAsync();

        await page.EvaluateAsync("id => localStorage.setItem('hybridflow.tenantInView', String(id))", tenantId);
        await page.ReloadAsync();
        await Expect(page.GetByText("Settings of Padaria Centro")).ToBeVisibleAsync();
        await page.GetByLabel("Tokens a month on the platform’s account").FillAsync("500000");
        await SaveAsync(page);
        var tenant = await Server.Admin.GetFromJsonAsync<JsonElement>($"api/tenants/{tenantId}");
        Assert.That(tenant.GetProperty("monthly_token_budget").GetInt64(), Is.EqualTo(500000));

        await page.EvaluateAsync("id => localStorage.setItem('hybridflow.tenantInView', String(id))", otherId);
        await page.ReloadAsync();
        await Expect(page.GetByText("Settings of Padaria Norte")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Tokens a month on the platform’s account")).ToHaveValueAsync("");
    }

    [TestCase(1280, 800)]
    [TestCase(390, 844)]
    public async Task The_settings_page_has_no_serious_axe_violation(int width, int height)
    {
        var (tenantId, _, page) = await TenantAdminOnSettingsAsync(width, height);
        await Server.Admin.PostAsJsonAsync($"api/tenants/{tenantId}/saved-replies", new { shortcut = "hours", text = "Abrimos às 9h." });
        await page.ReloadAsync();
        await Expect(page.GetByText("/hours")).ToBeVisibleAsync();
        await AssertNoSeriousAxeViolationsAsync(page);

        // With a tried reply and an error shown.
        await page.GetByLabel("Message as the customer").FillAsync("Oi!");
        await page.GetByRole(AriaRole.Button, new() { Name = "Try it" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "The conversation so far" }).GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await page.GetByLabel("Stale-message age (minutes)").FillAsync("0");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("stale_message_minutes");
        await AssertNoSeriousAxeViolationsAsync(page);
    }

    private static async Task<string> ConversationColumnAsync(long tenantId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Server.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT conversation::text FROM tenants WHERE id = $1", connection);
        command.Parameters.AddWithValue(tenantId);
        return (string)(await command.ExecuteScalarAsync())!;
    }
}
