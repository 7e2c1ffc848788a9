using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>The inbox's conversation list and item, with API keys: filters, paging, contact names, tenant isolation and bad input.</summary>
public sealed class InboxConversationTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    [Test]
    public async Task List_ByDefault_ShowsOpenConversations_NewestFirst_WithPreviewNameAndPhone()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var older = await t.NewConversationAsync("Bom dia", at: DateTimeOffset.UtcNow.AddMinutes(-10));
        var longText = new string('a', 150) + " fim";
        var newer = await t.NewConversationAsync(longText, pushName: "Maria Lima");
        var resolved = await t.NewConversationAsync("Obrigada!");
        await t.Admin.PatchOkAsync(resolved.SessionId, """{"status": "resolved"}""");

        var page = await t.Admin.ListAsync();
        Assert.That(page.SessionIds(), Is.EqualTo(new[] { newer.SessionId, older.SessionId }), "resolved ones are not open; newest activity first");
        Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(2));
        Assert.That(page.GetProperty("page").GetInt32(), Is.EqualTo(1));
        Assert.That(page.GetProperty("page_size").GetInt32(), Is.EqualTo(50));

        var item = page.GetProperty("items")[0];
        Assert.That(item.GetProperty("tenant_id").GetInt64(), Is.EqualTo(t.TenantId));
        Assert.That(item.GetProperty("instance_name").GetString(), Is.EqualTo(t.Instance));
        Assert.That(item.GetProperty("chat_id").GetString(), Is.EqualTo(newer.ChatId));
        Assert.That(item.GetProperty("phone").GetString(), Is.EqualTo(newer.ChatId.Split('@')[0]));
        Assert.That(item.GetProperty("contact_name").GetString(), Is.EqualTo("Maria Lima"));
        Assert.That(item.GetProperty("status").GetString(), Is.EqualTo("bot"));
        Assert.That(item.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(item.GetProperty("assignee").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(item.GetProperty("tags").GetArrayLength(), Is.Zero);
        Assert.That(item.GetProperty("unread_count").GetInt64(), Is.Zero, "an API key has no read state: 0");
        var last = item.GetProperty("last_message");
        Assert.That(last.GetProperty("direction").GetString(), Is.EqualTo("inbound"));
        Assert.That(last.GetProperty("message_type").GetString(), Is.EqualTo("conversation"));
        Assert.That(last.GetProperty("text").GetString(), Is.EqualTo(longText[..140]));
        Assert.That(item.GetProperty("last_message_at").GetDateTimeOffset(), Is.EqualTo(last.GetProperty("at").GetDateTimeOffset()));

        var all = await t.Admin.ListAsync("status=all");
        Assert.That(all.SessionIds(), Is.EquivalentTo(new[] { older.SessionId, newer.SessionId, resolved.SessionId }));
        var one = await t.Admin.GetJsonAsync(InboxCalls.Conversation(newer.SessionId));
        Assert.That(one.GetProperty("session_id").GetInt64(), Is.EqualTo(newer.SessionId));
        Assert.That(one.GetProperty("contact_name").GetString(), Is.EqualTo("Maria Lima"));
    }

    [Test]
    public async Task List_StatusFilters_SplitBotPausedHandoffNeedsPersonAndResolved()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var bot = await t.NewConversationAsync("Quanto custa o pão?");
        var paused = await t.NewConversationAsync("Oi");
        await t.Admin.PostOkAsync(InboxCalls.Conversation(paused.SessionId, "/pause"), new { minutes = 30 }, 200);
        var handoff = await t.NewConversationAsync("Oi");
        Assert.That(await t.CustomerWritesAsync(handoff.ChatId, "quero falar com um atendente"), Is.EqualTo("handoff_requested"));
        var attention = await t.NewConversationAsync("Meu pedido?");
        await _app.ScalarAsync<long>("""
            INSERT INTO reply_jobs (tenant_id, session_id, trigger_message_ids, status, kind, due_at, created_at, updated_at)
            SELECT tenant_id, id, '{}', 'needs_attention', 'reply', now(), now(), now() FROM sessions WHERE id = $1 RETURNING id
            """, attention.SessionId);
        var resolved = await t.NewConversationAsync("Valeu");
        await t.Admin.PatchOkAsync(resolved.SessionId, """{"status": "resolved"}""");

        async Task<IReadOnlyList<long>> Ids(string status) => (await t.Admin.ListAsync($"status={status}")).SessionIds();
        Assert.That(await Ids("open"), Is.EquivalentTo(new[] { bot.SessionId, paused.SessionId, handoff.SessionId, attention.SessionId }));
        Assert.That(await Ids("bot"), Is.EquivalentTo(new[] { bot.SessionId, attention.SessionId }));
        Assert.That(await Ids("paused"), Is.EquivalentTo(new[] { paused.SessionId, handoff.SessionId }));
        Assert.That(await Ids("handoff"), Is.EqualTo(new[] { handoff.SessionId }));
        Assert.That(await Ids("needs_person"), Is.EquivalentTo(new[] { handoff.SessionId, attention.SessionId }));
        Assert.That(await Ids("resolved"), Is.EqualTo(new[] { resolved.SessionId }));
        Assert.That(await Ids("all"), Has.Count.EqualTo(5));

        var items = (await t.Admin.ListAsync("status=all")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("session_id").GetInt64(), i => i);
        Assert.That(items[paused.SessionId].GetProperty("status").GetString(), Is.EqualTo("paused"));
        Assert.That(items[paused.SessionId].GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        Assert.That(items[paused.SessionId].GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.String));
        Assert.That(items[handoff.SessionId].GetProperty("status").GetString(), Is.EqualTo("handoff"));
        Assert.That(items[attention.SessionId].GetProperty("needs_attention").GetBoolean(), Is.True);
        Assert.That(items[resolved.SessionId].GetProperty("status").GetString(), Is.EqualTo("resolved"));
    }

    [Test]
    public async Task List_AssignedToTagAndSearch_Filter()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var carla = await t.InsertUserAsync("Carla");
        var ana = await t.NewConversationAsync("Quero encomendar um bolo", pushName: "Ana Souza");
        var bruno = await t.NewConversationAsync("Tem pão 100% integral?", pushName: "Bruno_Eiras");
        var third = await t.NewConversationAsync("Boa tarde", pushName: "Zé");
        await t.Admin.PatchOkAsync(ana.SessionId, $$"""{"assignee_user_id": {{carla}}, "tags": ["Encomenda"]}""");

        Assert.That((await t.Admin.ListAsync($"assigned_to={carla}")).SessionIds(), Is.EqualTo(new[] { ana.SessionId }));
        Assert.That((await t.Admin.ListAsync("assigned_to=unassigned")).SessionIds(), Is.EquivalentTo(new[] { bruno.SessionId, third.SessionId }));
        Assert.That((await t.Admin.ListAsync("tag=ENCOMENDA")).SessionIds(), Is.EqualTo(new[] { ana.SessionId }), "tags compare lower-cased");
        Assert.That((await t.Admin.ListAsync("tag=outra")).SessionIds(), Is.Empty);

        Assert.That((await t.Admin.ListAsync("q=souza")).SessionIds(), Is.EqualTo(new[] { ana.SessionId }), "the contact name, any case");
        Assert.That((await t.Admin.ListAsync("q=BOLO")).SessionIds(), Is.EqualTo(new[] { ana.SessionId }), "a message text");
        var digits = bruno.ChatId[..bruno.ChatId.IndexOf('@')];
        var formatted = $"+{digits[..2]} ({digits[2..4]}) {digits[4..9]}-{digits[9..]}";
        Assert.That((await t.Admin.ListAsync("q=" + Uri.EscapeDataString(formatted))).SessionIds(), Is.EqualTo(new[] { bruno.SessionId }), "the phone, as people write it");
        Assert.That((await t.Admin.ListAsync("q=" + digits[^6..])).SessionIds(), Is.EqualTo(new[] { bruno.SessionId }), "part of the number");
        Assert.That((await t.Admin.ListAsync("q=" + Uri.EscapeDataString("100%"))).SessionIds(), Is.EqualTo(new[] { bruno.SessionId }), "% is literal");
        Assert.That((await t.Admin.ListAsync("q=" + Uri.EscapeDataString("o_e"))).SessionIds(), Is.EqualTo(new[] { bruno.SessionId }),
            "_ is literal (as a wildcard it would also match \"Quero encomendar\")");
        Assert.That((await t.Admin.ListAsync("q=" + Uri.EscapeDataString("%"))).SessionIds(), Is.EqualTo(new[] { bruno.SessionId }), "a lone % matches only a %");
        Assert.That((await t.Admin.ListAsync("q=inexistente")).GetProperty("total").GetInt64(), Is.Zero);

        await ApiAssert.ProblemAsync(await t.Admin.GetAsync("/api/inbox/conversations?assigned_to=me"), 400, "assigned_to");
    }

    [Test]
    public async Task List_Pages_CoverEveryConversationOnce()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var ids = new List<long>();
        for (var i = 0; i < 5; i++) ids.Add((await t.NewConversationAsync($"Oi {i}", at: DateTimeOffset.UtcNow.AddMinutes(i - 10))).SessionId);

        var seen = new List<long>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await t.Admin.ListAsync($"page={page}&page_size=2");
            Assert.That(result.GetProperty("total").GetInt64(), Is.EqualTo(5));
            Assert.That(result.GetProperty("page_size").GetInt32(), Is.EqualTo(2));
            seen.AddRange(result.SessionIds());
        }
        Assert.That(seen, Is.EqualTo(ids.AsEnumerable().Reverse().ToList()), "newest first, each once");
        Assert.That((await t.Admin.ListAsync("page=4&page_size=2")).SessionIds(), Is.Empty);
    }

    [Test]
    public async Task ContactName_ComesFromTheCustomersPushName_NeverTheOwners()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (chat, session) = await t.NewConversationAsync();
        Assert.That(await ContactNameAsync(session), Is.EqualTo("Ana Souza"), "upsert_text_inbound's pushName");

        Assert.That(await _app.DeliverAsync(t.Instance, Payloads.OwnerText(chat, "Oi Ana, é o João")), Is.EqualTo("paused"));
        Assert.That(await ContactNameAsync(session), Is.EqualTo("Ana Souza"), "the owner's own pushName (Padaria Demo) is not the contact");

        await _app.DeliverAsync(t.Instance, Payloads.CustomerText(chat, "Oi João").WithPushName(null));
        Assert.That(await ContactNameAsync(session), Is.EqualTo("Ana Souza"), "a message without pushName keeps the name");
        await _app.DeliverAsync(t.Instance, Payloads.CustomerText(chat, "Mudei de nome").WithPushName("  Ana S. Lima "));
        Assert.That(await ContactNameAsync(session), Is.EqualTo("Ana S. Lima"), "the newest name, trimmed");

        // A LID-addressed chat is keyed by its phone JID (remoteJidAlt); its pushName names it too.
        var lid = Payloads.Load("upsert_lid_inbound");
        var phone = Payloads.NewChatId();
        lid["data"]!["key"]!["remoteJidAlt"] = phone;
        lid["data"]!["key"]!["id"] = Payloads.NewMessageId();
        lid["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await _app.DeliverAsync(t.Instance, lid);
        Assert.That(await ContactNameAsync(await t.SessionIdAsync(phone)), Is.EqualTo("Carlos"));

        // An echo of our own send (send.message, pushName "Você") names nobody.
        var echoChat = Payloads.NewChatId();
        await _app.DeliverAsync(t.Instance, Payloads.SendMessageEcho(echoChat, "Olá de outro cliente", Payloads.NewMessageId()));
        Assert.That(await ContactNameAsync(await t.SessionIdAsync(echoChat)), Is.Null);
    }

    private Task<string?> ContactNameAsync(long session) => _app.ScalarAsync<string?>("SELECT contact_name FROM sessions WHERE id = $1", session);

    [Test]
    public async Task AnotherTenantsConversation_Is404_OnEveryEndpoint()
    {
        var mine = await InboxTenant.CreateAsync(_app);
        var other = await InboxTenant.CreateAsync(_app);
        var (_, theirs) = await other.NewConversationAsync();

        foreach (var client in new[] { mine.Admin, mine.Agent })
        {
            await ApiAssert.ProblemAsync(await client.GetAsync(InboxCalls.Conversation(theirs)), 404);
            await ApiAssert.ProblemAsync(await client.GetAsync(InboxCalls.Conversation(theirs, "/messages")), 404);
            await ApiAssert.ProblemAsync(await client.PatchJsonAsync(InboxCalls.Conversation(theirs), """{"tags": ["x"]}"""), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/messages"), new { text = "Oi" }), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/notes"), new { text = "nota" }), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/read")), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/typing")), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/pause"), new { minutes = 5 }), 404);
            await ApiAssert.ProblemAsync(await client.PostJsonAsync(InboxCalls.Conversation(theirs, "/resume")), 404);
            await ApiAssert.ProblemAsync(await client.GetAsync($"/api/inbox/conversations?tenant_id={other.TenantId}"), 404);
            await ApiAssert.ProblemAsync(await client.GetAsync($"/api/inbox/assignees?tenant_id={other.TenantId}"), 404);
            Assert.That((await client.ListAsync("status=all")).SessionIds(), Does.Not.Contain(theirs));
        }
        Assert.That(_app.Evolution.Requests, Is.Empty, "nothing reached Evolution");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_notes WHERE session_id = $1", theirs), Is.Zero);
        var untouched = await other.Admin.GetJsonAsync(InboxCalls.Conversation(theirs));
        Assert.That(untouched.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(untouched.GetProperty("tags").GetArrayLength(), Is.Zero);

        // The platform admin sees every tenant, or one.
        Assert.That((await _app.Admin.ListAsync($"tenant_id={other.TenantId}")).SessionIds(), Is.EqualTo(new[] { theirs }));
        Assert.That((await _app.Admin.ListAsync()).SessionIds(), Does.Contain(theirs));
    }

    [TestCase("status=bogus", "status")]
    [TestCase("status=", null)]
    [TestCase("assigned_to=someone", "assigned_to")]
    [TestCase("assigned_to=0", "assigned_to")]
    [TestCase("page=0", "page")]
    [TestCase("page_size=0", "page_size")]
    [TestCase("page_size=201", "page_size")]
    [TestCase("tenant_id=0", "tenant_id")]
    public async Task List_BadQuery_Is400(string query, string? field)
    {
        var t = await InboxTenant.CreateAsync(_app);
        var response = await t.Admin.GetAsync("/api/inbox/conversations?" + query);
        if (field is null) await ApiAssert.StatusAsync(response, 200); // an empty status is the default
        else await ApiAssert.ProblemAsync(response, 400, field);
    }

    [Test]
    public async Task List_SearchTooLongOrTagTooLong_Is400()
    {
        var t = await InboxTenant.CreateAsync(_app);
        await ApiAssert.ProblemAsync(await t.Admin.GetAsync("/api/inbox/conversations?q=" + new string('a', 101)), 400, "q");
        await ApiAssert.ProblemAsync(await t.Admin.GetAsync("/api/inbox/conversations?tag=" + new string('a', 33)), 400, "tag");
        await ApiAssert.ProblemAsync(await t.Admin.GetAsync("/api/inbox/conversations/0"), 400, "session_id");
    }

    [Test]
    public async Task Assignees_AreTheTenantsUsers_ByName()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var other = await InboxTenant.CreateAsync(_app);
        var zeca = await t.InsertUserAsync("Zeca");
        var ana = await t.InsertUserAsync("ana", "tenant_admin");
        await other.InsertUserAsync("Bruno");

        var list = await t.Agent.GetJsonAsync("/api/inbox/assignees");
        var items = list.GetProperty("items").EnumerateArray().ToList();
        Assert.That(items.Select(i => i.GetProperty("id").GetInt64()), Is.EqualTo(new[] { ana, zeca }));
        Assert.That(items[0].GetProperty("display_name").GetString(), Is.EqualTo("ana"));
        Assert.That(items[0].GetProperty("role").GetString(), Is.EqualTo("tenant_admin"));
        Assert.That((await _app.Admin.GetJsonAsync($"/api/inbox/assignees?tenant_id={t.TenantId}")).GetProperty("items").GetArrayLength(), Is.EqualTo(2));
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/inbox/assignees"), 400, "tenant_id");
    }
}
