using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Conversation;

/// <summary>
/// The customer asks for a person (issue 10 item 2), over HTTP with real webhook shapes: a handoff keyword or the model's
/// request_human pauses the chat, the handoff message goes out once, no AI reply, the timeline and notify_url are told.
/// </summary>
public sealed class HandoffTests
{
    private const string HandoffMessage = "Já chamo alguém da equipe.";
    private const string NotifySecret = "notify-signing-secret-0123456789";

    private static async Task<(long TenantId, string Instance)> TenantAsync(HybridFlowApp app, object? extra = null)
    {
        var fields = JsonSerializer.SerializeToNode(extra ?? new { })!.AsObject();
        fields["handoff_message"] = HandoffMessage;
        return await app.CreateTenantWithInstanceAsync(fields);
    }

    private static async Task<string?> DetailAsync(HybridFlowApp app, string chatId, string action) =>
        await app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = $2 ORDER BY e.id LIMIT 1",
            chatId, action);

    private static async Task<JsonElement> QueueAsync(HybridFlowApp app, long tenantId)
    {
        var response = await app.Admin.GetAsync($"/api/sessions?tenant_id={tenantId}&state=paused&pause_reason=handoff_requested");
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Test]
    public async Task KeywordInsideASentence_PausesForAPerson_SendsTheHandoffMessageOnce_AndPostsASignedNotify()
    {
        await using var app = await HybridFlowApp.StartAsync();
        await using var receiver = await FakeWorkflowServer.StartAsync();
        var hook = receiver.NewHook(NotifySecret);
        var (tenantId, instance) = await TenantAsync(app, new { notify_url = hook, workflow_secret = NotifySecret });
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Bom dia! Quero falar com uma PESSOA agora, por favor")),
            Is.EqualTo("handoff_requested"));

        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        await HybridFlowApp.EventuallyAsync(() => receiver.Calls.Count == 1, "the notify POST");
        var session = await app.GetSessionAsync(instance, chat);

        // Writing again while waiting: no reply and no second handoff message.
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Alô? Tem alguém aí?")), Is.EqualTo("ignored_paused"));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "atendente!!")), Is.EqualTo("ignored_paused"));
        var marker = await Marker.AnsweredAsync(app, instance);

        var call = receiver.Calls[0];
        var notify = call.Json;
        var timeline = await app.TimelineAsync(instance, chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Evolution.SendsTo(chat), Has.Count.EqualTo(1), "one handoff message, nothing more");
            Assert.That(app.Evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo(HandoffMessage));
            Assert.That(marker.Without(app.Llm.Requests), Is.Empty, "no model call: no AI reply");
            Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.True);
            Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("handoff_requested"));
            Assert.That(timeline, Does.Contain("handoff_requested").And.Contain("notice_sent"));
            Assert.That(timeline.Count(a => a == "handoff_requested"), Is.EqualTo(1));
            Assert.That(await DetailAsync(app, chat, "handoff_requested"), Is.EqualTo("keyword: falar com uma pessoa"));
            Assert.That(await DetailAsync(app, chat, "notice_sent"), Is.EqualTo("handoff message"));

            Assert.That(call.SignatureValid, Is.True, call.SignatureProblem);
            Assert.That(notify.GetProperty("event").GetString(), Is.EqualTo("handoff_requested"));
            Assert.That(notify.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
            Assert.That(notify.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
            Assert.That(notify.GetProperty("chat_id").GetString(), Is.EqualTo(chat));
            Assert.That(notify.GetProperty("session_id").GetInt64(), Is.EqualTo(session.GetProperty("id").GetInt64()));
            Assert.That(notify.GetProperty("trigger").GetString(), Is.EqualTo("keyword"));
            Assert.That(notify.GetProperty("reason").GetString(), Is.EqualTo("falar com uma pessoa"));
            Assert.That(call.Header("X-HybridFlow-Delivery"), Is.EqualTo(notify.GetProperty("event_id").GetString()));
            Assert.That(receiver.Calls, Has.Count.EqualTo(1), "one notify per handoff");
        }

        var metrics = await (await app.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.That(metrics.Split('\n').Any(l => l.StartsWith("hybridflow_handoffs", StringComparison.Ordinal) && l.Contains("trigger=\"keyword\"")),
            Is.True, "the handoff counter with its trigger");
    }

    [Test]
    public async Task NotifyReceiverFailing_IsRetriedWithTheSameDeliveryId()
    {
        await using var app = await HybridFlowApp.StartAsync();
        await using var receiver = await FakeWorkflowServer.StartAsync();
        receiver.AnswerNext(new WorkflowAnswer(503));
        var (_, instance) = await TenantAsync(app, new { notify_url = receiver.NewHook(NotifySecret), workflow_secret = NotifySecret });
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "I want to talk to a human please")), Is.EqualTo("handoff_requested"));

        await HybridFlowApp.EventuallyAsync(() => receiver.Calls.Count >= 2, "the notify POST retried after a 503", TimeSpan.FromSeconds(30));
        var calls = receiver.Calls;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(calls[0].AnsweredStatus, Is.EqualTo(503));
            Assert.That(calls[1].AnsweredStatus, Is.EqualTo(200));
            Assert.That(calls.Select(c => c.Header("X-HybridFlow-Delivery")).Distinct().Count(), Is.EqualTo(1), "the same delivery id on every attempt");
            Assert.That(calls.All(c => c.SignatureValid), Is.True);
            Assert.That(await app.ScalarAsync<string>("SELECT status FROM notify_deliveries"), Is.EqualTo("delivered"));
        }
    }

    [Test]
    public async Task NotifyUrlThatNowReachesAPrivateAddress_IsRefusedAtDelivery_AndTheHandoffStillHappens()
    {
        await using var app = await HybridFlowApp.StartAsync();
        await using var receiver = await FakeWorkflowServer.StartAsync();
        var (tenantId, instance) = await TenantAsync(app, new { workflow_secret = NotifySecret });
        // A tenant key cannot save a loopback notify_url (the settings API refuses it); one saved untrusted whose name
        // later resolves to a private address (DNS rebinding) is stopped when connecting. The row says exactly that.
        var tenantKey = await app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var refused = await app.ClientWithKey(tenantKey).PatchAsJsonAsync($"/api/tenants/{tenantId}", new { notify_url = receiver.NewHook(NotifySecret) });
        Assert.That((int)refused.StatusCode, Is.EqualTo(400), await refused.Content.ReadAsStringAsync());
        await app.ScalarAsync<int>("UPDATE tenants SET notify_url = $1, notify_url_trusted = false WHERE id = $2 RETURNING 1",
            receiver.NewHook(NotifySecret), tenantId);
        // A wait for time itself: the row was changed behind the API, so the pipeline sees it once its instance cache's TTL
        // (on Environment.TickCount64, not the app's clock) has run out.
        await Task.Delay(HybridFlow.Infrastructure.Persistence.ReadModels.InstanceCache.TimeToLive + TimeSpan.FromSeconds(1));
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "atendente")), Is.EqualTo("handoff_requested"));

        await HybridFlowApp.EventuallyAsync(async () => await app.ScalarAsync<string>("SELECT status FROM notify_deliveries") == "dead",
            "the blocked delivery given up", TimeSpan.FromSeconds(30));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message still sent");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(receiver.Calls, Is.Empty, "nothing reached the private address");
            Assert.That(await app.ScalarAsync<string>("SELECT last_error FROM notify_deliveries"), Does.Contain("outbound address not allowed"));
            var failed = await DetailAsync(app, chat, "notify_failed");
            Assert.That(failed, Does.StartWith("given up after 1 attempt: outbound address not allowed"), "an operator sees it on the chat");
            Assert.That(failed, Does.Not.Contain(receiver.BaseAddress.Authority).And.Not.Contain(NotifySecret), "neither the URL nor the secret");
        }
    }

    [Test]
    public async Task KeywordWhileAReplyIsBeingWritten_TheReplyIsNeverSent()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await TenantAsync(app);
        app.Llm.Delay = TimeSpan.FromSeconds(3);
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, vocês têm pão sem glúten?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Llm.Requests.Count == 1, "the model writing the reply");
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Deixa, quero falar com atendente")), Is.EqualTo("handoff_requested"));

        await HybridFlowApp.EventuallyAsync(async () =>
                await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE kind = 'reply' AND status IN ('cancelled', 'discarded')") == 1
                && (await app.TimelineAsync(instance, chat)).Contains("ai_discarded_collision"),
            "the reply written meanwhile dropped", TimeSpan.FromSeconds(20));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        app.Llm.Delay = TimeSpan.Zero;
        await Marker.AnsweredAsync(app, instance);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Evolution.SendsTo(chat).Select(s => s.Json.GetProperty("text").GetString()), Is.EqualTo(new[] { HandoffMessage }),
                "only the handoff message; the model's reply never went out");
            Assert.That((await app.GetSessionAsync(instance, chat)).GetProperty("pause_reason").GetString(), Is.EqualTo("handoff_requested"));
        }
    }

    [Test]
    public async Task KeywordWhileAReplyIsPending_CancelsIt_OnTheTimelineAndInTheMetric_LikeATakeover()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await TenantAsync(app, new { debounce_seconds = 60 });
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, vocês têm pão sem glúten?")), Is.EqualTo("ai_queued"));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Deixa, quero falar com atendente")), Is.EqualTo("handoff_requested"));

        Assert.That(await DetailAsync(app, chat, "ai_cancelled"), Is.EqualTo("1 reply cancelled: a person was requested"));
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs WHERE kind = 'reply' AND status = 'cancelled'"), Is.EqualTo(1));
        var metrics = await (await app.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.That(metrics.Split('\n').Any(l => l.StartsWith("hybridflow_reply_jobs", StringComparison.Ordinal) && l.Contains("outcome=\"cancelled\"")
            && l.TrimEnd().EndsWith(" 1", StringComparison.Ordinal)), Is.True, "the cancelled job counted once:\n" + metrics);
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        Assert.That(app.Llm.Requests, Is.Empty, "the cancelled reply never reached the model");
    }

    [Test]
    public async Task OwnerWritingInAChatWaitingForAPerson_TurnsItIntoAnOrdinaryTakeover()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await TenantAsync(app);
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "hablar con una persona")), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        Assert.That((await QueueAsync(app, tenantId)).GetProperty("total").GetInt64(), Is.EqualTo(1), "in the queue");

        Assert.That(await app.DeliverAsync(instance, Payloads.OwnerText(chat, "Oi! Aqui é a Ana, como posso ajudar?")), Is.EqualTo("paused"));

        var session = await app.GetSessionAsync(instance, chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.True);
            Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
            Assert.That((await QueueAsync(app, tenantId)).GetProperty("total").GetInt64(), Is.Zero, "no longer waiting for a person");
        }
    }

    [Test]
    public async Task HandoffNobodyTakes_AutoResumesAfterResumeAfterMinutes_ByTheSweepOrTheNextCustomerMessage()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await TenantAsync(app, new { resume_after_minutes = 30 });
        var swept = Payloads.NewChatId();
        var written = Payloads.NewChatId();
        foreach (var chat in new[] { swept, written })
        {
            Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "humano")), Is.EqualTo("handoff_requested"));
            await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        }

        app.Clock.Advance(TimeSpan.FromMinutes(20));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(written, "e aí?", at: app.Clock.GetUtcNow())), Is.EqualTo("ignored_paused"),
            "still within resume_after_minutes");

        app.Clock.Advance(TimeSpan.FromMinutes(11));
        using var cron = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume");
        cron.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
        var response = await app.Client.SendAsync(cron);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That((await app.GetSessionAsync(instance, swept)).GetProperty("is_paused").GetBoolean(), Is.False, "the sweep resumed it");
        Assert.That(await app.TimelineAsync(instance, swept), Does.Contain("auto_resumed"));
    }

    [Test]
    public async Task HandoffNobodyTakes_TheNextCustomerMessageAfterResumeAfterMinutes_ResumesAndIsAnswered()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await TenantAsync(app, new { resume_after_minutes = 30 });
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "talk to a person")), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");

        app.Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "ainda preciso de ajuda com o pedido", at: app.Clock.GetUtcNow())),
            Is.EqualTo("auto_resumed"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 2, "the bot answers again");
        Assert.That(app.Evolution.SendsTo(chat)[1].Json.GetProperty("text").GetString(), Is.EqualTo(app.Llm.ReplyText));
    }

    [Test]
    public async Task ModelCallingRequestHuman_PausesForAPerson_AndItsTextIsNotSent()
    {
        await using var app = await HybridFlowApp.StartAsync();
        await using var receiver = await FakeWorkflowServer.StartAsync();
        var (_, instance) = await TenantAsync(app, new { notify_url = receiver.NewHook(NotifySecret), workflow_secret = NotifySecret });
        app.Llm.HandoffReason = "o cliente quer um reembolso";
        app.Llm.HandoffText = "Vou verificar com a equipe.";
        var chat = Payloads.NewChatId();

        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Quero meu dinheiro de volta do pedido de ontem")), Is.EqualTo("ai_queued"));

        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the handoff message sent");
        await HybridFlowApp.EventuallyAsync(() => receiver.Calls.Count == 1, "the notify POST");
        app.Llm.HandoffReason = null; // the marker is answered, not handed off
        app.Llm.HandoffText = null;
        var marker = await Marker.AnsweredAsync(app, instance);
        var session = await app.GetSessionAsync(instance, chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Llm.Requests[0].ToolNames, Does.Contain("request_human"), "the model was offered the tool");
            Assert.That(app.Evolution.SendsTo(chat).Select(s => s.Json.GetProperty("text").GetString()), Is.EqualTo(new[] { HandoffMessage }));
            Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("handoff_requested"));
            Assert.That(await DetailAsync(app, chat, "handoff_requested"), Is.EqualTo("model: o cliente quer um reembolso"));
            Assert.That(receiver.Calls[0].Json.GetProperty("trigger").GetString(), Is.EqualTo("model"));
            Assert.That(receiver.Calls[0].Json.GetProperty("reason").GetString(), Is.EqualTo("o cliente quer um reembolso"));
            Assert.That(receiver.Calls, Has.Count.EqualTo(1), "one notify POST");
            Assert.That(await app.ScalarAsync<string>(
                "SELECT string_agg(j.status, ',') FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE j.kind = 'reply' AND s.chat_id <> $1", marker.ChatId),
                Is.EqualTo("cancelled"));
        }
    }

    [Test]
    public async Task Queue_ListsOnlyChatsWaitingForAPerson_AndRefusesAnUnknownReason()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await TenantAsync(app);
        var waiting = Payloads.NewChatId();
        var takenOver = Payloads.NewChatId();
        var active = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(waiting, "Quero um atendente")), Is.EqualTo("handoff_requested"));
        Assert.That(await app.DeliverAsync(instance, Payloads.OwnerText(takenOver, "Oi, sou eu")), Is.EqualTo("paused"));
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(active, "Qual o horário?")), Is.EqualTo("ai_queued"));

        var queue = await QueueAsync(app, tenantId);
        var chats = queue.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("chat_id").GetString()).ToList();
        Assert.That(chats, Is.EqualTo(new[] { waiting }));

        var withoutState = await app.Admin.GetFromJsonAsync<JsonElement>($"/api/sessions?tenant_id={tenantId}&pause_reason=human_takeover");
        Assert.That(withoutState.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("chat_id").GetString()), Is.EqualTo(new[] { takenOver }));

        var unknown = await app.Admin.GetAsync($"/api/sessions?tenant_id={tenantId}&state=paused&pause_reason=lunch_break");
        var body = await unknown.Content.ReadAsStringAsync();
        Assert.That((int)unknown.StatusCode, Is.EqualTo(400), body);
        Assert.That(body, Does.Contain("pause_reason"));
        var contradictory = await app.Admin.GetAsync($"/api/sessions?tenant_id={tenantId}&state=active&pause_reason=handoff_requested");
        Assert.That((int)contradictory.StatusCode, Is.EqualTo(400));
    }
}
