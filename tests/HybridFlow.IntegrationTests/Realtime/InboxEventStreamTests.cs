using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>
/// GET /api/inbox/events (issue 11 item 3) read by a real HttpClient as a browser's EventSource reads it, while real-shaped
/// webhooks, the reply worker and the API change the conversations: every event comes from the database's triggers.
/// </summary>
public sealed class InboxEventStreamTests
{
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["INBOX_KEEPALIVE_SECONDS"] = "1" });
        (_tenantId, _instance) = await _app.CreateTenantWithInstanceAsync(new { handoff_message = "Já chamo alguém da equipe." });
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _app.DisposeAsync();

    private async Task<long> SessionIdAsync(string chat) => (await _app.GetSessionAsync(_instance, chat)).GetProperty("id").GetInt64();

    private Task<string?> StoredTypesAsync(long sessionId, string except = "") =>
        _app.ScalarAsync<string>("SELECT string_agg(type, ',' ORDER BY id) FROM inbox_events WHERE session_id = $1 AND type <> $2", sessionId, except);

    /// <summary>
    /// A customer's message gets its event from the webhook's grouped statement, with the triggers skipped (V0028); the
    /// bot's reply from the trigger. Neither may be missing or doubled.
    /// </summary>
    [Test]
    public async Task EveryMessage_HasExactlyOneMessageCreated_WhetherTheGroupOrTheTriggerWroteIt()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Tem pão de queijo?")), Is.EqualTo("ai_queued"));
        var sessionId = await SessionIdAsync(chat);
        await HybridFlowApp.EventuallyAsync(async () =>
            await _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1 AND direction = 'bot'", sessionId) == 1, "the bot's reply");
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "E café?"));

        var perMessage = await _app.ScalarAsync<string>("""
            SELECT string_agg(m.direction || ':' || (SELECT count(*) FROM inbox_events e WHERE e.message_id = m.id AND e.type = 'message.created'), ',' ORDER BY m.id)
            FROM messages m WHERE m.session_id = $1
            """, sessionId);
        Assert.That(perMessage, Is.EqualTo("inbound:1,bot:1,inbound:1"));
        Assert.That(await _app.ScalarAsync<long>(
            "SELECT count(*) FROM inbox_events e JOIN messages m ON m.id = e.message_id WHERE e.session_id = $1 AND e.type = 'message.created' AND e.occurred_at <> m.sent_at", sessionId),
            Is.Zero, "each event is stamped with its message's time");
    }

    [Test]
    public async Task CustomerMessage_StreamsMessageCreated_ThenTheBotsReplySent_WithTheContractsFields()
    {
        await using var stream = await SseStream.OpenAsync(_app.Admin);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês abrem no domingo?")), Is.EqualTo("ai_queued"));
        var sessionId = await SessionIdAsync(chat);
        var created = await stream.WaitForAsync("message.created", sessionId);
        var replied = await stream.WaitForAsync("reply.sent", sessionId);

        var inbound = await _app.ScalarAsync<long>("SELECT id FROM messages WHERE session_id = $1 AND direction = 'inbound'", sessionId);
        var bot = await _app.ScalarAsync<long>("SELECT id FROM messages WHERE session_id = $1 AND direction = 'bot'", sessionId);
        var headers = stream.Response.Headers;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(headers.CacheControl?.NoCache, Is.True, "Cache-Control: no-cache");
            Assert.That(headers.GetValues("X-Accel-Buffering"), Is.EqualTo(new[] { "no" }));
            Assert.That(created.Id, Is.EqualTo(created.Data.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                "the id line is the event's id");
            Assert.That(created.Data.GetProperty("type").GetString(), Is.EqualTo("message.created"));
            Assert.That(created.Data.GetProperty("tenant_id").GetInt64(), Is.EqualTo(_tenantId));
            Assert.That(created.Data.GetProperty("message_id").GetInt64(), Is.EqualTo(inbound), "the customer's message first");
            Assert.That(created.Data.TryGetProperty("note_id", out _), Is.False, "no note_id on a message event");
            Assert.That(created.Data.GetProperty("at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(replied.Data.GetProperty("message_id").GetInt64(), Is.EqualTo(bot), "reply.sent names the bot's message");
            Assert.That(replied.EventId, Is.GreaterThan(created.EventId));
            Assert.That(stream.Events.Any(e => e.Event == "message.created" && e.Data.GetProperty("message_id").GetInt64() == bot), Is.True,
                "the bot's message is a message.created too");
        }

        // The second exchange only moves the session's activity (last_message_at), with the same contact name: no
        // conversation.updated (the first one may set the contact name from pushName).
        var before = await _app.ScalarAsync<long>("SELECT max(id) FROM inbox_events WHERE session_id = $1", sessionId);
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "E no sábado?")), Is.EqualTo("ai_queued"));
        await stream.WaitForAsync(e => e.Event == "reply.sent" && e.SessionId == sessionId && e.EventId > before, "the second reply");
        Assert.That(await _app.ScalarAsync<string>("SELECT string_agg(type, ',' ORDER BY id) FROM inbox_events WHERE session_id = $1 AND id > $2", sessionId, before),
            Is.EqualTo("message.created,message.created,reply.sent"));
    }

    [Test]
    public async Task OwnerMessage_StreamsSessionPaused_AndResume_StreamsSessionResumed()
    {
        await using var stream = await SseStream.OpenAsync(_app.Admin);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Pode deixar que eu respondo")), Is.EqualTo("paused"));
        var sessionId = await SessionIdAsync(chat);
        var paused = await stream.WaitForAsync("session.paused", sessionId);
        Assert.That(paused.Data.TryGetProperty("message_id", out _), Is.False, "a state change names no message");

        // While paused a customer message only moves the activity: message.created, no pause event.
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Obrigado!")), Is.EqualTo("ignored_paused"));
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{sessionId}/resume", null), 200);
        var resumed = await stream.WaitForAsync("session.resumed", sessionId);

        Assert.That(resumed.EventId, Is.GreaterThan(paused.EventId));
        Assert.That(await StoredTypesAsync(sessionId, except: "conversation.updated"), Is.EqualTo("message.created,session.paused,message.created,session.resumed"));
    }

    [Test]
    public async Task HandoffKeyword_StreamsHandoffRequested_AndThePause()
    {
        await using var stream = await SseStream.OpenAsync(_app.Admin);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Quero falar com uma pessoa, por favor")),
            Is.EqualTo("handoff_requested"));
        var sessionId = await SessionIdAsync(chat);
        var handoff = await stream.WaitForAsync("handoff.requested", sessionId);
        await stream.WaitForAsync("session.paused", sessionId);
        // The handoff message is the bot's notice: a reply.sent.
        var notice = await stream.WaitForAsync("reply.sent", sessionId);

        Assert.That(handoff.Data.GetProperty("message_id").GetInt64(),
            Is.EqualTo(await _app.ScalarAsync<long>("SELECT id FROM messages WHERE session_id = $1 AND direction = 'inbound'", sessionId)));
        Assert.That(notice.EventId, Is.GreaterThan(handoff.EventId));
    }

    [Test]
    public async Task IdleStream_GetsAKeepAliveComment()
    {
        await using var stream = await SseStream.OpenAsync(_app.Admin);

        await HybridFlowApp.EventuallyAsync(() => stream.Comments.Count >= 2, "two keep-alive comments (INBOX_KEEPALIVE_SECONDS=1)", TimeSpan.FromSeconds(10));

        Assert.That(stream.Comments, Has.All.EqualTo("keep-alive"));
        Assert.That(stream.Ended, Is.False);
    }

    [Test]
    public async Task LastEventId_ReplaysWhatWasMissed_OnceEach_ThenGoesLive()
    {
        var chat = Payloads.NewChatId();
        string lastSeen;
        await using (var first = await SseStream.OpenAsync(_app.Admin))
        {
            await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Oi, aqui é o dono"));
            lastSeen = (await first.WaitForAsync("session.paused", await SessionIdAsync(chat))).Id!;
        }
        var sessionId = await SessionIdAsync(chat);

        // Missed while disconnected.
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Tudo bem?"));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Alô?"));
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{sessionId}/resume", null), 200);
        var missed = await _app.ScalarAsync<string>(
            "SELECT string_agg(id::text, ',' ORDER BY id) FROM inbox_events WHERE session_id = $1 AND id > $2", sessionId, long.Parse(lastSeen, System.Globalization.CultureInfo.InvariantCulture));
        var missedIds = missed!.Split(',');
        Assert.That(missedIds, Has.Length.GreaterThanOrEqualTo(3), "two messages and the resume, at least");

        await using var again = await SseStream.OpenAsync(_app.Admin, lastEventId: lastSeen);
        await again.WaitForAsync("session.resumed", sessionId);
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Voltou?"));
        var live = await again.WaitForAsync(e => e.Event == "reply.sent" && e.SessionId == sessionId, "the live reply after the replay");

        var ofThisChat = again.Events.Where(e => e.SessionId == sessionId).Select(e => e.Id!).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ofThisChat.Take(missedIds.Length), Is.EqualTo(missedIds), "the missed events first, in order");
            Assert.That(ofThisChat, Does.Not.Contain(lastSeen), "nothing up to Last-Event-ID again");
            Assert.That(ofThisChat, Is.Unique, "nothing twice");
            Assert.That(long.Parse(live.Id!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThan(long.Parse(missedIds[^1], System.Globalization.CultureInfo.InvariantCulture)));
        }

        // The query parameter does the same for clients that cannot set headers.
        await using var byQuery = await SseStream.OpenAsync(_app.Admin, $"/api/inbox/events?last_event_id={lastSeen}");
        await byQuery.WaitForAsync("session.resumed", sessionId);
        await byQuery.WaitForAsync(e => e.Id == live.Id, "the live reply, replayed too");
        Assert.That(byQuery.Events.Where(e => e.SessionId == sessionId).Select(e => e.Id).Take(missedIds.Length), Is.EqualTo(missedIds));
    }

    [Test]
    public async Task MalformedLastEventId_IsA400ProblemBeforeAnyStream()
    {
        var problem = await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/inbox/events?last_event_id=abc"), 400, "last_event_id");
        Assert.That(problem.GetProperty("errors").GetProperty("last_event_id")[0].GetString(), Does.Contain("whole number"));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/inbox/events");
        request.Headers.Add("Last-Event-ID", "-5");
        await ApiAssert.ProblemAsync(await _app.Admin.SendAsync(request), 400, "last_event_id");
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/inbox/events?tenant_id=x"), 400);
        await ApiAssert.ProblemAsync(await _app.Client.GetAsync("/api/inbox/events"), 401);
    }

    [Test]
    public async Task TenantKey_NeverGetsAnotherTenantsEvents_LiveOrReplayed()
    {
        var (otherTenant, otherInstance) = await _app.CreateTenantWithInstanceAsync(new { name = "Outra Loja" });
        var key = await _app.CreateApiKeyAsync(_tenantId, "agent");
        var mine = Payloads.NewChatId();
        var theirs = Payloads.NewChatId();
        var start = await _app.ScalarAsync<long>("SELECT coalesce(max(id), 0) FROM inbox_events");

        await using var stream = await SseStream.OpenAsync(_app.ClientWithKey(key));
        await using var admin = await SseStream.OpenAsync(_app.Admin, $"/api/inbox/events?tenant_id={otherTenant}");
        await _app.DeliverAsync(otherInstance, Payloads.OwnerText(theirs, "Mensagem da outra loja"));
        await _app.DeliverAsync(_instance, Payloads.OwnerText(mine, "Mensagem desta loja"));
        var theirSession = (await _app.GetSessionAsync(otherInstance, theirs)).GetProperty("id").GetInt64();
        await stream.WaitForAsync("session.paused", await SessionIdAsync(mine));
        await admin.WaitForAsync("session.paused", theirSession);

        await using var replayed = await SseStream.OpenAsync(_app.ClientWithKey(key), lastEventId: start.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await replayed.WaitForAsync("session.paused", await SessionIdAsync(mine));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stream.Events.Select(e => e.Data.GetProperty("tenant_id").GetInt64()), Has.All.EqualTo(_tenantId));
            Assert.That(replayed.Events.Select(e => e.Data.GetProperty("tenant_id").GetInt64()), Has.All.EqualTo(_tenantId));
            Assert.That(admin.Events.Select(e => e.Data.GetProperty("tenant_id").GetInt64()), Has.All.EqualTo(otherTenant), "the admin's tenant_id filter");
        }
        // A tenant key naming another tenant learns nothing: 404, as everywhere else.
        await ApiAssert.ProblemAsync(await _app.ClientWithKey(key).GetAsync($"/api/inbox/events?tenant_id={otherTenant}"), 404);
    }

    [Test]
    public async Task NotesAssignmentAndTags_StreamNoteCreatedAndConversationUpdated()
    {
        // The inbox endpoints that write these are another part of the issue; the rows are written as they will write them.
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Oi"));
        var sessionId = await SessionIdAsync(chat);
        var userId = await _app.ScalarAsync<long>(
            "INSERT INTO users (tenant_id, role, display_name, email) VALUES ($1, 'agent', 'Ana', $2) RETURNING id", _tenantId, $"ana-{Guid.NewGuid():N}@example.com");
        await using var stream = await SseStream.OpenAsync(_app.Admin);

        var noteId = await _app.ScalarAsync<long>(
            "INSERT INTO inbox_notes (tenant_id, session_id, author_name, text, created_at) VALUES ($1, $2, 'Ana', 'Cliente VIP', now()) RETURNING id", _tenantId, sessionId);
        var note = await stream.WaitForAsync("note.created", sessionId);
        await _app.ScalarAsync<int>("UPDATE sessions SET assignee_user_id = $2 WHERE id = $1 RETURNING 1", sessionId, userId);
        var assigned = await stream.WaitForAsync("conversation.updated", sessionId);
        await _app.ScalarAsync<int>("UPDATE sessions SET tags = '{vip}' WHERE id = $1 RETURNING 1", sessionId);
        await _app.ScalarAsync<int>("UPDATE sessions SET last_message_at = now(), updated_at = now() WHERE id = $1 RETURNING 1", sessionId);
        await HybridFlowApp.EventuallyAsync(() => stream.Events.Count(e => e.Event == "conversation.updated" && e.SessionId == sessionId) == 2, "the tags change");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(note.Data.GetProperty("note_id").GetInt64(), Is.EqualTo(noteId));
            Assert.That(note.Data.TryGetProperty("message_id", out _), Is.False);
            Assert.That(assigned.Data.TryGetProperty("note_id", out _), Is.False);
            Assert.That(await _app.ScalarAsync<long>("SELECT assignee_user_id FROM inbox_events WHERE id = $1", assigned.EventId), Is.EqualTo(userId));
            Assert.That(await _app.ScalarAsync<long>("SELECT assignee_user_id FROM inbox_events WHERE id = $1", note.EventId), Is.Zero, "unassigned when the note was written");
        }
        await _app.ScalarAsync<int>("UPDATE sessions SET assignee_user_id = NULL WHERE id = $1 RETURNING 1", sessionId);
        await HybridFlowApp.EventuallyAsync(() => stream.Events.Count(e => e.Event == "conversation.updated" && e.SessionId == sessionId) == 3, "the unassignment");
        var unassigned = stream.Events.Last(e => e.Event == "conversation.updated" && e.SessionId == sessionId);
        Assert.That(await _app.ScalarAsync<long>("SELECT previous_assignee_user_id FROM inbox_events WHERE id = $1", unassigned.EventId), Is.EqualTo(userId));
        Assert.That(await StoredTypesAsync(sessionId), Is.EqualTo("message.created,session.paused,note.created,conversation.updated,conversation.updated,conversation.updated"),
            "the plain activity update added nothing");
    }

    [Test]
    public async Task OpenStreams_AreAGauge_AndAClosedStreamLeavesIt()
    {
        static async Task<double> GaugeAsync(HybridFlowApp app)
        {
            var text = await app.Client.GetStringAsync("/metrics");
            var line = text.Split('\n').Single(l => l.StartsWith("hybridflow_inbox_streams ", StringComparison.Ordinal));
            return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        }

        var before = await GaugeAsync(_app);
        await using (var stream = await SseStream.OpenAsync(_app.Admin))
        {
            await HybridFlowApp.EventuallyAsync(async () => await GaugeAsync(_app) == before + 1, "the open stream counted");
        }
        await HybridFlowApp.EventuallyAsync(async () => await GaugeAsync(_app) == before, "the stream the client left is no longer counted");
    }
}
