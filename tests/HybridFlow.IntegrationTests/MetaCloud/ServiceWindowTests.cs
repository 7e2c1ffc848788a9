using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Inbox;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// WhatsApp's 24-hour customer service window on a Cloud API number, counted from the WhatsApp timestamp of the customer's
/// last message: past it the bot sends nothing (outside_service_window on the timeline), a person's free-form send is a 409,
/// and the conversation shows the window. Evolution chats are never bound by it.
/// </summary>
public sealed class ServiceWindowTests
{
    private const string OutsideDetail = "More than 24 hours since the customer's last message: only an approved template can be sent.";

    [Test]
    public async Task BotReply_WhenTheWindowClosed_IsNotWrittenNorSent_AndTheTimelineSaysWhy()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var chat = MetaChatSeed.NewChatId();
        var sentAt = app.Clock.GetUtcNow().AddHours(-25);
        var (sessionId, messageId) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, sentAt);

        var job = await MetaChatSeed.QueueJobAsync(app, sessionId, messageId);

        Assert.That(await MetaChatSeed.FinishedJobStatusAsync(app, job), Is.EqualTo("cancelled"));
        var timeline = await MetaChatSeed.TimelineAsync(app, sessionId);
        var outside = timeline.Where(e => e.Action == "outside_service_window").ToList();
        Assert.That(outside, Has.Count.EqualTo(1), string.Join(", ", timeline.Select(e => e.Action)));
        Assert.That(outside[0].Detail, Does.Contain(sentAt.AddHours(24).ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss")), "says when the window closed");
        Assert.That(app.Graph.MessageCalls, Is.Empty, "nothing went to WhatsApp");
        Assert.That(app.Llm.Requests, Is.Empty, "no reply was written for a window that is closed");
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1 AND direction <> 'inbound'", sessionId), Is.Zero);
    }

    [TestCase("away_notice")]
    [TestCase("handoff_notice")]
    public async Task Notice_WhenTheWindowClosed_IsNotSent(string kind)
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var chat = MetaChatSeed.NewChatId();
        var (sessionId, messageId) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddDays(-2));
        if (kind == "handoff_notice")
            await app.ScalarAsync<int>("UPDATE sessions SET is_paused = true, pause_reason = 'handoff_requested' WHERE id = $1 RETURNING 1", sessionId);

        var job = await MetaChatSeed.QueueJobAsync(app, sessionId, messageId, kind, "Estamos fechados agora; respondemos amanhã cedo.");

        Assert.That(await MetaChatSeed.FinishedJobStatusAsync(app, job), Is.EqualTo("cancelled"));
        Assert.That((await MetaChatSeed.TimelineAsync(app, sessionId)).Select(e => e.Action), Does.Contain("outside_service_window"));
        Assert.That(app.Graph.MessageCalls, Is.Empty);
    }

    [Test]
    public async Task BotReply_WhenTheWindowIsOpen_IsWritten()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var chat = MetaChatSeed.NewChatId();
        var (sessionId, messageId) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddHours(-23));

        var job = await MetaChatSeed.QueueJobAsync(app, sessionId, messageId);

        await MetaChatSeed.FinishedJobStatusAsync(app, job);
        Assert.That(app.Llm.Requests, Is.Not.Empty, "the reply was written (and handed to the Cloud API adapter)");
        Assert.That((await MetaChatSeed.TimelineAsync(app, sessionId)).Select(e => e.Action), Does.Not.Contain("outside_service_window"));
    }

    [Test]
    public async Task EvolutionChat_IsNeverBoundByTheWindow()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        var (sessionId, messageId) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddDays(-3));

        var job = await MetaChatSeed.QueueJobAsync(app, sessionId, messageId);

        Assert.That(await MetaChatSeed.FinishedJobStatusAsync(app, job), Is.EqualTo("sent"));
        Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That((await MetaChatSeed.TimelineAsync(app, sessionId)).Select(e => e.Action), Does.Contain("ai_replied").And.Not.Contain("outside_service_window"));

        var admin = app.ClientWithKey(await app.CreateApiKeyAsync((await app.ScalarAsync<long>("SELECT tenant_id FROM sessions WHERE id = $1", sessionId)), "tenant_admin"));
        var conversation = await admin.GetJsonAsync(InboxCalls.Conversation(sessionId));
        Assert.That(conversation.GetProperty("channel").GetString(), Is.EqualTo("evolution"));
        Assert.That(conversation.TryGetProperty("service_window", out var window) && window.ValueKind != JsonValueKind.Null, Is.False,
            "an Evolution conversation has no window");
    }

    [Test]
    public async Task InboxSend_WhenTheWindowClosed_Is409NamingTheRule_AndNothingIsSent()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var chat = MetaChatSeed.NewChatId();
        var (sessionId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddHours(-24).AddMinutes(-1));

        var response = await admin.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/messages"), new { text = "Oi Ana, seu pedido está pronto!" });

        var problem = await ApiAssert.ProblemAsync(response, 409);
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(OutsideDetail));
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("outside_service_window"));
        Assert.That(app.Graph.MessageCalls, Is.Empty);
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE session_id = $1 AND direction <> 'inbound'", sessionId), Is.Zero);
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE session_id = $1", sessionId), Is.Zero, "nothing was registered");
        Assert.That(await app.ScalarAsync<bool>("SELECT is_paused FROM sessions WHERE id = $1", sessionId), Is.False, "a refused send takes nothing over");
    }

    [TestCase("agent")]
    [TestCase("bot")]
    public async Task SendMessage_WhenTheWindowClosed_Is409(string sendAs)
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var key = await app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var chat = MetaChatSeed.NewChatId();
        await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddHours(-30));

        var response = await app.PostWithKeyAsync(ApiCalls.SendMessagePath,
            new { instance_name = instance, chat_id = chat, text = "Seu pedido está pronto.", @as = sendAs }, key);

        var problem = await ApiAssert.ProblemAsync(response, 409);
        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("outside_service_window"));
        Assert.That(problem.GetProperty("detail").GetString(), Is.EqualTo(OutsideDetail));
        Assert.That(app.Graph.MessageCalls, Is.Empty);
    }

    [Test]
    public async Task SendMessage_ToANumberThatNeverWrote_Is409()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var key = await app.CreateApiKeyAsync(tenantId, "tenant_admin");

        var response = await app.PostWithKeyAsync(ApiCalls.SendMessagePath,
            new { instance_name = instance, number = "5511987650001", text = "Olá!", @as = "agent" }, key);

        Assert.That((await ApiAssert.ProblemAsync(response, 409)).GetProperty("code").GetString(), Is.EqualTo("outside_service_window"));
    }

    [Test]
    public async Task Conversation_ShowsTheChannelAndTheWindow_InTheListAndTheDetail()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var sentAt = app.Clock.GetUtcNow().AddHours(-2);
        var (openId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, MetaChatSeed.NewChatId(), sentAt);
        var (closedId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, MetaChatSeed.NewChatId(), sentAt.AddHours(-30));

        var open = await admin.GetJsonAsync(InboxCalls.Conversation(openId));
        Assert.That(open.GetProperty("channel").GetString(), Is.EqualTo("meta_cloud"));
        Assert.That(open.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.True);
        Assert.That(open.GetProperty("service_window").GetProperty("closes_at").GetDateTimeOffset(), Is.EqualTo(sentAt.AddHours(24)).Within(TimeSpan.FromMilliseconds(1)));

        var page = await admin.ListAsync("status=all");
        var items = page.GetProperty("items").EnumerateArray().ToDictionary(i => i.GetProperty("session_id").GetInt64());
        Assert.That(items[openId].GetProperty("service_window").GetProperty("open").GetBoolean(), Is.True);
        Assert.That(items[closedId].GetProperty("channel").GetString(), Is.EqualTo("meta_cloud"));
        Assert.That(items[closedId].GetProperty("service_window").GetProperty("open").GetBoolean(), Is.False);
        Assert.That(items[closedId].GetProperty("service_window").GetProperty("closes_at").GetDateTimeOffset(),
            Is.EqualTo(sentAt.AddHours(-6)).Within(TimeSpan.FromMilliseconds(1)));

        // A day later the open one has closed too: the window is counted, not stored.
        app.Clock.Advance(TimeSpan.FromHours(23));
        Assert.That((await admin.GetJsonAsync(InboxCalls.Conversation(openId))).GetProperty("service_window").GetProperty("open").GetBoolean(), Is.False);
    }

    [Test]
    public async Task ThroughTheWebhook_ALateDeliveryLeavesTheWindowClosed_AndAFreshMessageOpensItForTheBotsReply()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, _, phoneNumberId) = await app.CreateTenantWithMetaInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var waId = FakeGraphApi.NewWaId();
        var now = app.Clock.GetUtcNow();

        // Meta delivers today what the customer sent 25 hours ago (its retries last days): not answered, window closed.
        var late = await app.Graph.DeliverAsync(app.Graph.CustomerText(phoneNumberId, waId, "Vocês entregam?", at: now.AddHours(-25)));
        Assert.That(late, Is.Not.EqualTo("ai_queued"));
        var sessionId = await app.ScalarAsync<long>("SELECT id FROM sessions WHERE chat_id = $1", FakeGraphApi.ChatOf(waId));
        var conversation = await admin.GetJsonAsync(InboxCalls.Conversation(sessionId));
        Assert.That(conversation.GetProperty("channel").GetString(), Is.EqualTo("meta_cloud"));
        Assert.That(conversation.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.False);
        var send = await admin.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/messages"), new { text = "Entregamos sim!" });
        Assert.That((await ApiAssert.ProblemAsync(send, 409)).GetProperty("code").GetString(), Is.EqualTo("outside_service_window"));

        // The customer writes again now: the window opens, and the bot's reply goes out through the Graph API.
        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(phoneNumberId, waId, "Oi, ainda estão aí?", at: now)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Graph.SentMessages.Any(r => r.Json.GetProperty("to").GetString() == waId),
            "the reply sent through the Graph API");
        var reopened = await admin.GetJsonAsync(InboxCalls.Conversation(sessionId));
        Assert.That(reopened.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.True);
        Assert.That(reopened.GetProperty("service_window").GetProperty("closes_at").GetDateTimeOffset(),
            Is.EqualTo(DateTimeOffset.FromUnixTimeSeconds(now.ToUnixTimeSeconds()).AddHours(24)), "24 hours after WhatsApp's timestamp, in whole seconds");
    }

    [Test]
    public async Task Window_IsCountedFromTheWhatsAppTimestamp_SoAMessageThatArrivesLateDoesNotExtendIt()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var now = app.Clock.GetUtcNow();
        var chat = MetaChatSeed.NewChatId();
        await MetaChatSeed.CustomerWroteAsync(app, instance, chat, now.AddHours(-26), now.AddHours(-26));
        // Sent 25 hours ago, delivered only now (Meta retries for days): the chat's last activity is now, its window is not.
        var (sessionId, lateId) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, now.AddHours(-25), arrivedAt: now);

        var conversation = await admin.GetJsonAsync(InboxCalls.Conversation(sessionId));
        Assert.That(conversation.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.False);
        Assert.That(conversation.GetProperty("service_window").GetProperty("closes_at").GetDateTimeOffset(),
            Is.EqualTo(now.AddHours(-1)).Within(TimeSpan.FromMilliseconds(1)));
        var send = await admin.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/messages"), new { text = "Oi!" });
        Assert.That((await ApiAssert.ProblemAsync(send, 409)).GetProperty("code").GetString(), Is.EqualTo("outside_service_window"));

        // The bot's reply to the late message is not sent either.
        var job = await MetaChatSeed.QueueJobAsync(app, sessionId, lateId);
        Assert.That(await MetaChatSeed.FinishedJobStatusAsync(app, job), Is.EqualTo("cancelled"));
        Assert.That(app.Graph.MessageCalls, Is.Empty);

        // A message the customer sends now opens it again, until 24 hours after it was sent.
        await MetaChatSeed.CustomerWroteAsync(app, instance, chat, now.AddMinutes(-1));
        var reopened = await admin.GetJsonAsync(InboxCalls.Conversation(sessionId));
        Assert.That(reopened.GetProperty("service_window").GetProperty("open").GetBoolean(), Is.True);
        Assert.That(reopened.GetProperty("service_window").GetProperty("closes_at").GetDateTimeOffset(),
            Is.EqualTo(now.AddMinutes(-1).AddHours(24)).Within(TimeSpan.FromMilliseconds(1)));
    }
}
