using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Inbox;

/// <summary>The inbox's thread and what a person does in a conversation, with API keys: send, notes, PATCH, typing, pause and resume.</summary>
public sealed class InboxActionTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    [Test]
    public async Task Thread_PagedWithTheCursor_HoldsEveryMessageEventAndNoteOnce_NewestFirst()
    {
        var t = await InboxTenant.CreateAsync(_app);
        // Messages in the same second (WhatsApp's timestamps have whole seconds) and out of order, events and notes between them.
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);
        var (chat, session) = await t.NewConversationAsync("primeira", at: start);
        for (var i = 0; i < 6; i++) await t.CustomerWritesAsync(chat, $"mensagem {i}", at: start.AddSeconds(i / 2));
        await t.CustomerWritesAsync(chat, "atrasada", at: start.AddSeconds(-5));
        for (var i = 0; i < 4; i++) await t.Admin.PostOkAsync(InboxCalls.Conversation(session, "/notes"), new { text = $"nota {i}" }, 201);
        await t.Admin.PatchOkAsync(session, """{"tags": ["a"]}""");
        await t.Admin.PostOkAsync(InboxCalls.Conversation(session, "/pause"), null, 200);

        var whole = await t.Admin.GetJsonAsync(InboxCalls.Conversation(session, "/messages?limit=200"));
        Assert.That(whole.GetProperty("next_before").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var all = whole.GetProperty("items").EnumerateArray().ToList();
        var expected = await _app.ScalarAsync<long>("""
            SELECT (SELECT count(*) FROM messages WHERE session_id = $1) + (SELECT count(*) FROM session_events WHERE session_id = $1)
                 + (SELECT count(*) FROM inbox_notes WHERE session_id = $1)
            """, session);
        Assert.That(all, Has.Count.EqualTo(expected));
        Assert.That(all.Select(i => i.GetProperty("kind").GetString()).Distinct(), Is.EquivalentTo(new[] { "message", "event", "note" }));
        var times = all.Select(i => i.GetProperty("at").GetDateTimeOffset()).ToList();
        Assert.That(times, Is.Ordered.Descending, "newest first");
        Assert.That(all[^1].GetProperty("text").GetString(), Is.EqualTo("atrasada"), "ordered by when it was sent, not when it arrived");
        Assert.That(all[0].GetProperty("kind").GetString(), Is.EqualTo("event"));
        Assert.That(all[0].GetProperty("action").GetString(), Is.EqualTo("manual_pause"));

        foreach (var limit in new[] { 1, 2, 3, 7 })
        {
            var paged = await t.Admin.WholeThreadAsync(session, limit);
            Assert.That(paged.Select(i => i.Key()), Is.EqualTo(all.Select(i => i.Key())), $"limit {limit}: the same items in the same order, none lost or repeated");
        }

        var message = all.First(i => i.GetProperty("kind").GetString() == "message");
        Assert.That(message.GetProperty("direction").GetString(), Is.EqualTo("inbound"));
        Assert.That(message.GetProperty("message_type").GetString(), Is.EqualTo("conversation"));
        Assert.That(message.GetProperty("deleted").GetBoolean(), Is.False);
        Assert.That(message.GetProperty("sent_by").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(message.TryGetProperty("media_text", out _) && message.TryGetProperty("status", out _) && message.TryGetProperty("read_at", out _), Is.True);
        var note = all.First(i => i.GetProperty("kind").GetString() == "note");
        Assert.That(note.GetProperty("text").GetString(), Is.EqualTo("nota 3"));
        Assert.That(note.GetProperty("author").GetProperty("display_name").GetString(), Is.EqualTo("API key"));
        Assert.That(note.GetProperty("author").GetProperty("id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var tagged = all.First(i => i.GetProperty("kind").GetString() == "event" && i.GetProperty("action").GetString() == "tagged");
        Assert.That(tagged.GetProperty("detail").GetString(), Does.StartWith("a "));
        Assert.That(tagged.TryGetProperty("message_id", out _), Is.True);
    }

    [TestCase("before=bm90LWEtY3Vyc29y", "before")]
    [TestCase("before=%25%25%25", "before")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=201", "limit")]
    public async Task Thread_BadCursorOrLimit_Is400(string query, string field)
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        await ApiAssert.ProblemAsync(await t.Admin.GetAsync(InboxCalls.Conversation(session, "/messages?" + query)), 400, field);
    }

    [Test]
    public async Task Note_IsOnTheThread_AndNeverReachesEvolution()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        var note = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/notes"), new { text = "  Cliente VIP, tratar com carinho  " }, 201);
        Assert.That(note.GetProperty("kind").GetString(), Is.EqualTo("note"));
        Assert.That(note.GetProperty("text").GetString(), Is.EqualTo("Cliente VIP, tratar com carinho"));
        Assert.That(note.GetProperty("author").GetProperty("display_name").GetString(), Is.EqualTo("API key"));

        var thread = await t.Agent.GetJsonAsync(InboxCalls.Conversation(session, "/messages"));
        Assert.That(thread.GetProperty("items")[0].Key(), Is.EqualTo(note.Key()));
        Assert.That(_app.Evolution.Requests, Is.Empty, "a note is never sent");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1", session), Is.EqualTo(1));

        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/notes"), new { text = "   " }), 400, "text");
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/notes"), new { text = new string('x', 4097) }), 400, "text");
        await ApiAssert.ProblemAsync(await t.Agent.SendJsonAsync(HttpMethod.Post, InboxCalls.Conversation(session, "/notes"), """{"text": "x", "extra": 1}"""), 400);
    }

    [Test]
    public async Task Send_FromTheInbox_IsATakeover_AndTheBotStaysSilent()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (chat, session) = await t.NewConversationAsync("Meu pedido atrasou");
        var sent = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/messages"), new { text = "Oi! Vou verificar agora." }, 201);
        var keyId = sent.GetProperty("provider_message_id").GetString()!;
        var conversation = sent.GetProperty("conversation");
        Assert.That(conversation.GetProperty("session_id").GetInt64(), Is.EqualTo(session));
        Assert.That(conversation.GetProperty("status").GetString(), Is.EqualTo("paused"));
        Assert.That(conversation.GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
        Assert.That(conversation.GetProperty("assignee").ValueKind, Is.EqualTo(JsonValueKind.Null), "an API key is nobody to assign");
        Assert.That(conversation.GetProperty("last_message").GetProperty("direction").GetString(), Is.EqualTo("human"));

        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Oi! Vou verificar agora."));
        Assert.That(await _app.ScalarAsync<string>("SELECT direction FROM messages WHERE provider_message_id = $1", keyId), Is.EqualTo("human"));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT status FROM reply_jobs WHERE session_id = $1 AND kind = 'reply'", session), Is.EqualTo("cancelled"), "the queued reply is cancelled");
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT detail FROM session_events WHERE session_id = $1 AND action = 'paused'", session), Is.EqualTo("sent as agent from the inbox"));

        Assert.That(await _app.DeliverAsync(t.Instance, Payloads.SendMessageEcho(chat, "Oi! Vou verificar agora.", keyId)), Is.EqualTo("duplicate_ignored"));
        Assert.That(await t.CustomerWritesAsync(chat, "Obrigada"), Is.EqualTo("ignored_paused"), "no AI reply after the takeover");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE session_id = $1 AND status = 'pending'", session), Is.Zero);

        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/messages"), new { text = new string('x', 4097) }), 400, "text");
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/messages"), new { text = "" }), 400, "text");
    }

    [Test]
    public async Task Send_EvolutionFailing_Is502()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        _app.Evolution.FailNext((500, """{"status":500,"error":"Internal Server Error","response":{"message":["boom"]}}"""));
        var problem = await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/messages"), new { text = "Oi" }), 502);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("Evolution"));
    }

    [Test]
    public async Task Patch_AssignsTagsAndResolves_AndACustomerMessageReopens()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var other = await InboxTenant.CreateAsync(_app);
        var carla = await t.InsertUserAsync("Carla");
        var stranger = await other.InsertUserAsync("Bruno");
        var (chat, session) = await t.NewConversationAsync();

        var assigned = await t.Admin.PatchOkAsync(session, $$"""{"assignee_user_id": {{carla}}}""");
        Assert.That(assigned.GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(carla));
        Assert.That(assigned.GetProperty("assignee").GetProperty("display_name").GetString(), Is.EqualTo("Carla"));
        await ApiAssert.ProblemAsync(await t.Admin.PatchJsonAsync(InboxCalls.Conversation(session), $$"""{"assignee_user_id": {{stranger}}}"""), 400, "assignee_user_id");
        await ApiAssert.ProblemAsync(await t.Admin.PatchJsonAsync(InboxCalls.Conversation(session), """{"assignee_user_id": 999999999}"""), 400, "assignee_user_id");
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), """{"assignee_user_id": null}"""), 403);
        Assert.That((await t.Admin.GetJsonAsync(InboxCalls.Conversation(session))).GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(carla),
            "a refused PATCH changes nothing");

        var tagged = await t.Agent.PatchOkAsync(session, """{"tags": [" Pedido ", "pedido", "URGENTE", "entrega rápida"]}""");
        Assert.That(tagged.GetProperty("tags").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(new[] { "pedido", "urgente", "entrega rápida" }));
        var tooMany = JsonSerializer.Serialize(new { tags = Enumerable.Range(0, 21).Select(i => $"t{i}") });
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), tooMany), 400, "tags");
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), $$"""{"tags": ["{{new string('x', 33)}}"]}"""), 400, "tags");
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), """{"tags": ["  "]}"""), 400, "tags");
        var twenty = JsonSerializer.Serialize(new { tags = Enumerable.Range(0, 20).Select(i => $"t{i}").Append("T0") });
        Assert.That((await t.Agent.PatchOkAsync(session, twenty)).GetProperty("tags").GetArrayLength(), Is.EqualTo(20), "21 given, 20 once de-duplicated");
        Assert.That((await t.Agent.PatchOkAsync(session, """{"tags": null}""")).GetProperty("tags").GetArrayLength(), Is.Zero);

        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), """{"status": "closed"}"""), 400, "status");
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), """{"status": null}"""), 400, "status");
        await ApiAssert.ProblemAsync(await t.Agent.PatchJsonAsync(InboxCalls.Conversation(session), """{"assignee_user_id": "x"}"""), 400);
        Assert.That((await t.Agent.PatchOkAsync(session, """{"status": "resolved"}""")).GetProperty("status").GetString(), Is.EqualTo("resolved"));
        Assert.That((await t.Agent.PatchOkAsync(session, """{"status": "resolved"}""")).GetProperty("status").GetString(), Is.EqualTo("resolved"), "again: no change");
        Assert.That((await t.Agent.ListAsync()).SessionIds(), Does.Not.Contain(session));

        Assert.That(await t.CustomerWritesAsync(chat, "Esqueci uma coisa"), Is.EqualTo("ai_queued"));
        var reopened = await t.Agent.GetJsonAsync(InboxCalls.Conversation(session));
        Assert.That(reopened.GetProperty("status").GetString(), Is.EqualTo("bot"));
        Assert.That((await t.Agent.ListAsync()).SessionIds(), Does.Contain(session));

        var actions = await _app.TimelineAsync(t.Instance, chat);
        Assert.That(actions.Where(a => a is "assigned" or "tagged" or "resolved" or "reopened"),
            Is.EqualTo(new[] { "assigned", "tagged", "tagged", "tagged", "resolved", "reopened" }));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'reopened'", session),
            Is.EqualTo("the customer wrote"));
        Assert.That(await _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'assigned'", session),
            Is.EqualTo("to Carla by API key"));

        Assert.That((await t.Admin.PatchOkAsync(session, """{"assignee_user_id": null, "status": "resolved"}""")).GetProperty("assignee").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That((await t.Admin.PatchOkAsync(session, """{"status": "open"}""")).GetProperty("status").GetString(), Is.EqualTo("bot"));
        Assert.That((await _app.TimelineAsync(t.Instance, chat)).TakeLast(3), Is.EqualTo(new[] { "unassigned", "resolved", "reopened" }));
    }

    [Test]
    public async Task Typing_ReachesEvolutionAsComposing_AndItsFailureIs502()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (chat, session) = await t.NewConversationAsync();
        await ApiAssert.StatusAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/typing")), 202);
        var call = _app.Evolution.PresenceCalls.Single();
        Assert.That(call.Path, Is.EqualTo($"/chat/sendPresence/{t.Instance}"));
        Assert.That(call.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
        Assert.That(call.Json.GetProperty("number").GetString(), Is.EqualTo(chat.Split('@')[0]));
        Assert.That(call.Json.GetProperty("presence").GetString(), Is.EqualTo("composing"));
        Assert.That(call.Json.GetProperty("delay").GetInt32(), Is.EqualTo(3000));
        Assert.That(_app.Evolution.SuccessfulSends, Is.Empty, "typing sends no message");

        _app.Evolution.FailNext((400, """{"status":400,"error":"Bad Request","response":{"message":["Connection Closed"]}}"""));
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/typing")), 502);
    }

    [Test]
    public async Task PauseAndResume_UseTheSessionsOwnCode()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (chat, session) = await t.NewConversationAsync();
        var paused = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/pause"), new { minutes = 30 }, 200);
        Assert.That(paused.GetProperty("status").GetString(), Is.EqualTo("paused"));
        Assert.That(paused.GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        Assert.That(paused.GetProperty("paused_until").GetDateTimeOffset(), Is.GreaterThan(DateTimeOffset.UtcNow.AddMinutes(25)));
        Assert.That(await t.CustomerWritesAsync(chat, "Oi?"), Is.EqualTo("ignored_paused"));

        var forever = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/pause"), null, 200);
        Assert.That(forever.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "no body: until resumed");
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/pause"), new { minutes = 0 }), 400, "minutes");

        var resumed = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/resume"), null, 200);
        Assert.That(resumed.GetProperty("status").GetString(), Is.EqualTo("bot"));
        Assert.That(resumed.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await t.CustomerWritesAsync(chat, "Oi de novo"), Is.EqualTo("ai_queued"));
        Assert.That(await _app.TimelineAsync(t.Instance, chat), Does.Contain("manual_pause").And.Contain("resumed"));
    }

    [Test]
    public async Task Pause_ForTheQuietPeriod_PausesForTheTenantsQuietPeriod_InTheInboxAndSessionsApis()
    {
        var t = await InboxTenant.CreateAsync(_app, new { debounce_seconds = 600, resume_after_minutes = 45 });
        var (chat, session) = await t.NewConversationAsync();

        var before = DateTimeOffset.UtcNow;
        var paused = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/pause"), new { @for = "quiet_period" }, 200);
        var after = DateTimeOffset.UtcNow;
        Assert.That(paused.GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        Assert.That(paused.GetProperty("paused_until").GetDateTimeOffset(), Is.InRange(before.AddMinutes(45), after.AddMinutes(45)),
            "the agent's key cannot read the tenant, so the server decides: now + the tenant's 45 minutes");
        Assert.That(await LastManualPauseDetailAsync(session), Is.EqualTo("for the quiet period (45 minutes)"));
        Assert.That(await t.CustomerWritesAsync(chat, "Oi?"), Is.EqualTo("ignored_paused"));

        var untilResumed = await t.Agent.PostOkAsync(InboxCalls.Conversation(session, "/pause"), new { @for = "until_resumed" }, 200);
        Assert.That(untilResumed.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await LastManualPauseDetailAsync(session), Is.EqualTo("until resumed"));

        before = DateTimeOffset.UtcNow;
        var viaSessions = await t.Agent.PostOkAsync($"/api/sessions/{session}/pause", new { @for = "quiet_period" }, 200);
        after = DateTimeOffset.UtcNow;
        Assert.That(viaSessions.GetProperty("paused_until").GetDateTimeOffset(), Is.InRange(before.AddMinutes(45), after.AddMinutes(45)));
        var sessionsUntilResumed = await t.Agent.PostOkAsync($"/api/sessions/{session}/pause", new { @for = "until_resumed" }, 200);
        Assert.That(sessionsUntilResumed.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var noBody = await t.Agent.PostOkAsync($"/api/sessions/{session}/pause", null, 200);
        Assert.That(noBody.GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "no body: until resumed, as documented");
    }

    [TestCase("/api/inbox/conversations/{0}/pause")]
    [TestCase("/api/sessions/{0}/pause")]
    public async Task Pause_WithAnUnknownForOrForAndMinutes_Is400NamingTheField(string pathFormat)
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, session);
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(path, new { @for = "forever" }), 400, "for");
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(path, new { @for = "QUIET_PERIOD" }), 400, "for");
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(path, new { @for = "quiet_period", minutes = 30 }), 400, "minutes");
        var unchanged = await t.Agent.GetJsonAsync(InboxCalls.Conversation(session, ""));
        Assert.That(unchanged.GetProperty("is_paused").GetBoolean(), Is.False, "a refused pause changes nothing");
    }

    private Task<string?> LastManualPauseDetailAsync(long session) =>
        _app.ScalarAsync<string>("SELECT detail FROM session_events WHERE session_id = $1 AND action = 'manual_pause' ORDER BY id DESC LIMIT 1", session);

    [Test]
    public async Task Read_WithAnApiKey_IsAcceptedAndChangesNothing()
    {
        var t = await InboxTenant.CreateAsync(_app);
        var (_, session) = await t.NewConversationAsync();
        await ApiAssert.StatusAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(session, "/read")), 204);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_reads WHERE session_id = $1", session), Is.Zero);
        await ApiAssert.ProblemAsync(await t.Agent.PostJsonAsync(InboxCalls.Conversation(999_999_999, "/read")), 404);
    }
}
