using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.CoreLoop;

/// <summary>The heart of HybridFlow end to end: webhook in, state machine, outbox, model, Evolution out.</summary>
public sealed class CoreLoopTests
{
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenantId, _instance) = await _app.CreateTenantWithInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Olá! Abrimos amanhã das 7h às 19h.";
    }

    private Task WaitForSendsAsync(string chatId, int count) =>
        HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chatId).Count >= count, $"{count} send(s) to the chat");

    /// <summary>Nothing was sent to the chat by the time a marker delivered after it has been answered.</summary>
    private async Task<Marker> AssertNoSendBeforeMarkerAsync(string chatId)
    {
        var marker = await Marker.AnsweredAsync(_app, _instance);
        Assert.That(_app.Evolution.SendsTo(chatId), Is.Empty, "nothing may be sent to this chat");
        return marker;
    }

    [Test]
    public async Task CustomerMessage_IsAnsweredWithTenantPromptAndHistory()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi, vocês abrem amanhã?")), Is.EqualTo("ai_queued"));
        await WaitForSendsAsync(chat, 1);
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_replied"), "first reply recorded");

        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Eu confirmo: abrimos sim.")), Is.EqualTo("paused"));
        await _app.Admin.PostAsync($"/sessions/{_instance}/{chat}/resume", null);
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Temos pão de queijo, sim!";

        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "E tem pão de queijo?")), Is.EqualTo("ai_queued"));
        await WaitForSendsAsync(chat, 2);

        var llmCall = _app.Llm.Requests.Single();
        var messages = llmCall.Json.GetProperty("messages").EnumerateArray().ToList();
        var turns = messages.Select(m => (Role: m.GetProperty("role").GetString(), Text: Content(m))).ToList();
        Assert.That(turns[0], Is.EqualTo(("system", "Você é o assistente da Padaria Demo.")));
        Assert.That(turns.Skip(1).ToList(), Is.EqualTo(new List<(string?, string)>
        {
            ("user", "Oi, vocês abrem amanhã?"),
            ("assistant", "Olá! Abrimos amanhã das 7h às 19h."),
            ("assistant", "Eu confirmo: abrimos sim."),
            ("user", "E tem pão de queijo?"),
        }));
        Assert.That(llmCall.Json.GetProperty("model").GetString(), Is.EqualTo("gpt-test"));

        var send = _app.Evolution.SendsTo(chat).Last();
        Assert.That(send.Path, Is.EqualTo($"/message/sendText/{_instance}"));
        Assert.That(send.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
        Assert.That(send.Json.GetProperty("text").GetString(), Is.EqualTo("Temos pão de queijo, sim!"));
        Assert.That(send.Json.GetProperty("number").GetString(), Is.EqualTo(chat.Split('@')[0]));

        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Count(a => a == "ai_replied") == 2, "two ai_replied events");
        var botMessages = await _app.ScalarAsync<long>(
            "SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot' AND m.provider_message_id LIKE '3EB0%'", chat);
        Assert.That(botMessages, Is.EqualTo(2), "each reply is recorded as the bot's own message with Evolution's key.id");
    }

    private static string Content(JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
    }

    [Test]
    public async Task DuplicateDelivery_GivesOneReply()
    {
        var chat = Payloads.NewChatId();
        var payload = Payloads.CustomerText(chat, "Vocês entregam?");
        Assert.That(await _app.DeliverAsync(_instance, payload.DeepClone().AsObject()), Is.EqualTo("ai_queued"));
        Assert.That(await _app.DeliverAsync(_instance, payload.DeepClone().AsObject()), Is.EqualTo("duplicate_ignored"));
        await WaitForSendsAsync(chat, 1);
        Assert.That(await _app.DeliverAsync(_instance, payload.DeepClone().AsObject()), Is.EqualTo("duplicate_ignored"));
        await Marker.AnsweredAsync(_app, _instance);
        Assert.That(_app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'inbound'", chat),
            Is.EqualTo(1));
    }

    [Test]
    public async Task TwentyConcurrentDeliveries_OfOneMessage_GiveOneReply()
    {
        var chat = Payloads.NewChatId();
        var payload = Payloads.CustomerText(chat, "Qual o endereço?");
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _app.PostWebhookAsync(_instance, payload.DeepClone().AsObject())));
        var actions = new List<string>();
        foreach (var r in responses)
        {
            Assert.That((int)r.StatusCode, Is.EqualTo(200));
            actions.Add((await r.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString()!);
        }
        Assert.That(actions.Count(a => a == "ai_queued"), Is.EqualTo(1));
        Assert.That(actions.Count(a => a == "duplicate_ignored"), Is.EqualTo(19));
        await WaitForSendsAsync(chat, 1);
        await Marker.AnsweredAsync(_app, _instance);
        Assert.That(_app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ConcurrentDifferentMessages_InOneChat_AreAllStoredAndAnswered()
    {
        var chat = Payloads.NewChatId();
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(i => _app.PostWebhookAsync(_instance, Payloads.CustomerText(chat, $"pergunta {i}"))));
        Assert.That(responses.Select(r => (int)r.StatusCode), Is.All.EqualTo(200));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", chat), Is.EqualTo(1), "one session per chat");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'inbound'", chat), Is.EqualTo(5));
        await WaitForSendsAsync(chat, 1);
    }

    [Test]
    public async Task OwnerPhoneMessage_PausesChat_AndLaterCustomerMessagesAreIgnored()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Oi Ana, aqui é o João (dono).")), Is.EqualTo("paused"));
        var session = await _app.GetSessionAsync(_instance, chat);
        Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.True);
        Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
        Assert.That(session.GetProperty("last_human_at").ValueKind, Is.EqualTo(JsonValueKind.String));

        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Ok, obrigada!")), Is.EqualTo("ignored_paused"));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Mais uma coisa...")), Is.EqualTo("ignored_paused"));
        var marker = await AssertNoSendBeforeMarkerAsync(chat);
        Assert.That(marker.Without(_app.Llm.Requests), Is.Empty);
    }

    [Test]
    public async Task BotEcho_AfterSendReturned_DoesNotPause()
    {
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForSendsAsync(chat, 1);
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_replied"), "reply recorded");
        var keyId = await _app.ScalarAsync<string>(
            "SELECT m.provider_message_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot'", chat);

        var echo = Payloads.SendMessageEcho(chat, _app.Llm.ReplyText, keyId!);
        Assert.That(await _app.DeliverAsync(_instance, echo), Is.EqualTo("ignored_echo"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);

        // The same id as a messages.upsert fromMe (some versions report API sends this way) is not a takeover either.
        var upsert = Payloads.OwnerText(chat, _app.Llm.ReplyText);
        upsert["data"]!["key"]!["id"] = keyId;
        Assert.That(await _app.DeliverAsync(_instance, upsert), Is.EqualTo("ignored_echo"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
    }

    [Test]
    public async Task BotEcho_ArrivingBeforeSendReturns_DoesNotPause()
    {
        var chat = Payloads.NewChatId();
        string? echoAction = null;
        _app.Evolution.BeforeAnswer = async (remoteJid, text, keyId) =>
        {
            var response = await _app.PostWebhookAsync(_instance, Payloads.SendMessageEcho(remoteJid, text, keyId));
            echoAction = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString();
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi, tudo bem?"));
        await WaitForSendsAsync(chat, 1);
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_replied"), "reply recorded");

        Assert.That(echoAction, Is.EqualTo("ignored_echo"));
        var session = await _app.GetSessionAsync(_instance, chat);
        Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot'", chat),
            Is.EqualTo(1), "the echo and the send's answer are one message");

        _app.Evolution.BeforeAnswer = null;
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "E amanhã?")), Is.EqualTo("ai_queued"), "the bot still answers");
        await WaitForSendsAsync(chat, 2);
    }

    [Test]
    public async Task SendFromAnotherApiClient_CountsAsHumanTakeover()
    {
        var chat = Payloads.NewChatId();
        var echo = Payloads.SendMessageEcho(chat, "Oi, aqui é a Carla do atendimento (Chatwoot).", "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant());
        Assert.That(await _app.DeliverAsync(_instance, echo), Is.EqualTo("paused"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
    }

    [Test]
    public async Task OwnerMessage_WhileModelIsGenerating_CancelsThatReply()
    {
        var chat = Payloads.NewChatId();
        using var modelStarted = new SemaphoreSlim(0);
        using var release = new SemaphoreSlim(0);
        _app.Llm.Responder = request =>
        {
            modelStarted.Release();
            release.Wait(TimeSpan.FromSeconds(10));
            return new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Resposta atrasada do robô"));
        };

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Vocês têm bolo de cenoura?"));
        Assert.That(await modelStarted.WaitAsync(TimeSpan.FromSeconds(10)), Is.True, "the model was called");
        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Temos sim, Ana! Separo um para você.")), Is.EqualTo("paused"));
        release.Release();

        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_discarded_collision"), "the reply discarded");
        _app.Llm.Responder = null; // the marker is answered at once
        await AssertNoSendBeforeMarkerAsync(chat);
    }

    [Test]
    public async Task ManualResume_LetsTheBotAnswerAgain()
    {
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Deixa comigo."));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi?")), Is.EqualTo("ignored_paused"));

        var resumed = await _app.Admin.PostAsync($"/sessions/{_instance}/{chat}/resume", null);
        Assert.That((int)resumed.StatusCode, Is.EqualTo(200));
        var body = await resumed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(body.GetProperty("pause_reason").ValueKind, Is.EqualTo(JsonValueKind.Null));

        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Alguém aí?")), Is.EqualTo("ai_queued"));
        await WaitForSendsAsync(chat, 1);
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("resumed"));
    }

    [Test]
    public async Task ManualPauseById_WithMinutes_AndResumeById()
    {
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        var id = (await _app.GetSessionAsync(_instance, chat)).GetProperty("id").GetInt64();

        var paused = await _app.Admin.PostAsJsonAsync($"/api/sessions/{id}/pause?tenant_id={_tenantId}", new { minutes = 30 });
        Assert.That((int)paused.StatusCode, Is.EqualTo(200), await paused.Content.ReadAsStringAsync());
        var body = await paused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        Assert.That(body.GetProperty("paused_until").GetDateTimeOffset(), Is.EqualTo(_app.Clock.GetUtcNow().AddMinutes(30)).Within(TimeSpan.FromSeconds(10)));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi de novo")), Is.EqualTo("ignored_paused"));

        var resumed = await _app.Admin.PostAsync($"/api/sessions/{id}/resume?tenant_id={_tenantId}", null);
        Assert.That((await resumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("is_paused").GetBoolean(), Is.False);

        var otherTenant = await _app.Admin.PostAsync($"/api/sessions/{id}/pause?tenant_id={_tenantId + 1000}", null);
        Assert.That((int)otherTenant.StatusCode, Is.EqualTo(404), "a session is only found within its tenant");
    }

    [Test]
    public async Task AutoResume_Lazily_WhenCustomerWritesAfterQuietPeriod()
    {
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Deixa comigo.", at: _app.Clock.GetUtcNow()));
        _app.Clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1));
        try
        {
            Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi, voltei", at: _app.Clock.GetUtcNow())), Is.EqualTo("auto_resumed"));
            await WaitForSendsAsync(chat, 1);
            Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        }
        finally
        {
            _app.Clock.Advance(-(TimeSpan.FromHours(2) + TimeSpan.FromMinutes(1)));
        }
    }

    [Test]
    public async Task AutoResume_ByCronEndpoint_ButNotAnIndefiniteManualPause()
    {
        var takenOver = Payloads.NewChatId();
        var manual = Payloads.NewChatId();
        await _app.DeliverAsync(_instance, Payloads.OwnerText(takenOver, "Deixa comigo.", at: _app.Clock.GetUtcNow()));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(manual, "Oi"));
        var manualId = (await _app.GetSessionAsync(_instance, manual)).GetProperty("id").GetInt64();
        var paused = await _app.Admin.PostAsync($"/api/sessions/{manualId}/pause", null);
        Assert.That((await paused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paused_until").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var refused = await _app.Client.PostAsync("/cron/auto-resume", null);
        Assert.That((int)refused.StatusCode, Is.EqualTo(401), "the cron endpoint needs X-Cron-Secret");

        _app.Clock.Advance(TimeSpan.FromDays(3));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume");
            request.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
            var response = await _app.Client.SendAsync(request);
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            var result = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.That(result.GetProperty("resumed").GetInt32(), Is.GreaterThanOrEqualTo(1));
            Assert.That(result.TryGetProperty("cleaned", out _), Is.True);

            Assert.That((await _app.GetSessionAsync(_instance, takenOver)).GetProperty("is_paused").GetBoolean(), Is.False);
            Assert.That(await _app.TimelineAsync(_instance, takenOver), Does.Contain("auto_resumed"));
            var manualSession = await _app.GetSessionAsync(_instance, manual);
            Assert.That(manualSession.GetProperty("is_paused").GetBoolean(), Is.True, "an indefinite manual pause never auto-resumes");
            Assert.That(manualSession.GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        }
        finally
        {
            _app.Clock.Advance(-TimeSpan.FromDays(3));
        }
    }

    [Test]
    public async Task EvolutionFailingTwice_ThenSucceeding_SendsExactlyOnce()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.FailNext(
            // Failures that prove nothing was sent (a 5xx or 400 that does not say why is an unknown outcome, resolved by proof).
            (500, """{"status":500,"error":"Internal Server Error","response":{"message":"Error: Connection Closed"}}"""),
            (400, """{"status":400,"error":"Bad Request","response":{"message":["Error: Connection Closed"]}}"""));

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForSendsAsync(chat, 1);
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_replied"), "reply recorded");
        var marker = await Marker.AnsweredAsync(_app, _instance);

        Assert.That(marker.Without(_app.Evolution.Requests), Has.Count.EqualTo(3), "two failed attempts and one success");
        Assert.That(_app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline.Count(a => a == "ai_retry"), Is.EqualTo(2));
        Assert.That(timeline.Count(a => a == "ai_replied"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync<string>("SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("sent"));
    }

    [Test]
    public async Task EvolutionFailingEveryTime_MakesTheJobDead_WithTheErrorKept()
    {
        var chat = Payloads.NewChatId();
        // A failure that proves nothing was sent (a 502 may come after the send: resolved by proof, not retried).
        _app.Evolution.FailNext(Enumerable.Repeat((400, """{"status":400,"error":"Bad Request","response":{"message":["Error: Connection Closed"]}}"""), 5).ToArray());
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_failed"), "the job dead", TimeSpan.FromSeconds(30));
        var marker = await Marker.AnsweredAsync(_app, _instance);

        Assert.That(marker.Without(_app.Evolution.Requests), Has.Count.EqualTo(5), "REPLY_MAX_ATTEMPTS attempts, then no more");
        Assert.That(marker.Without(_app.Evolution.SuccessfulSends), Is.Empty);
        Assert.That(await _app.ScalarAsync<string>("SELECT j.status || ' ' || j.attempts || ' ' || j.last_error FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("dead 5 whatsapp: Evolution 400: WhatsApp's connection was closed; nothing was sent."));
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline.Count(a => a == "ai_retry"), Is.EqualTo(4));
    }

    [Test]
    public async Task NumberNotOnWhatsApp_IsFinal_NotRetried()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.FailNext((400, $$$"""{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"{{{chat}}}","number":"{{{chat.Split('@')[0]}}}"}]}}"""));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains("ai_failed"), "the job dead");
        var marker = await Marker.AnsweredAsync(_app, _instance);
        Assert.That(marker.Without(_app.Evolution.Requests), Has.Count.EqualTo(1));
        Assert.That(await _app.ScalarAsync<string>("SELECT j.last_error FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Does.Contain("not on WhatsApp"));
    }

    [Test]
    public async Task ModelFailing_IsRetried_ThenAnswered()
    {
        var chat = Payloads.NewChatId();
        var calls = 0;
        _app.Llm.Responder = _ => Interlocked.Increment(ref calls) == 1
            ? new FakeResponse(503, FakeLlmServer.OpenAiErrorJson(503))
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Resposta depois da falha"));
        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForSendsAsync(chat, 1);
        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Resposta depois da falha"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("ai_retry"));
    }

    [TestCase("upsert_group", "ignored_group")]
    [TestCase("upsert_reaction", "ignored_unsupported")]
    [TestCase("upsert_protocol_delete", "message_deleted")]
    [TestCase("messages_update", "status_updated")]
    [TestCase("messages_delete", "message_deleted")]
    [TestCase("connection_update", "connection_updated")]
    public async Task NonAnswerableEvents_AreAcknowledged_ButNeverAnswered(string payloadName, string expectedAction)
    {
        var payload = Payloads.Load(payloadName);
        if (payload["data"]?["key"] is { } key) key["id"] = Payloads.NewMessageId();
        Assert.That(await _app.DeliverAsync(_instance, payload), Is.EqualTo(expectedAction));
        var marker = await Marker.AnsweredAsync(_app, _instance);
        Assert.That(marker.Without(_app.Evolution.Requests), Is.Empty);
        Assert.That(marker.Without(_app.Llm.Requests), Is.Empty);
    }

    [Test]
    public async Task ImageWithCaption_AndLegacyExtendedText_AreAnswered()
    {
        var image = Payloads.Load("upsert_image_caption");
        var imageChat = Payloads.NewChatId();
        image["data"]!["key"]!["remoteJid"] = imageChat;
        image["data"]!["key"]!["id"] = Payloads.NewMessageId();
        image["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(); // sent now: an old one is not answered (stale_message_minutes)
        Assert.That(await _app.DeliverAsync(_instance, image), Is.EqualTo("ai_queued"));

        var extended = Payloads.Load("upsert_extended_text");
        var extendedChat = Payloads.NewChatId();
        extended["data"]!["key"]!["remoteJid"] = extendedChat;
        extended["data"]!["key"]!["id"] = Payloads.NewMessageId();
        extended["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(await _app.DeliverAsync(_instance, extended), Is.EqualTo("ai_queued"));

        await WaitForSendsAsync(imageChat, 1);
        await WaitForSendsAsync(extendedChat, 1);
        var prompts = _app.Llm.Requests.Select(r => r.Body).ToList();
        Assert.That(prompts, Has.Some.Contains("Quanto custa este bolo?"));
        Assert.That(prompts, Has.Some.Contains("Pode ser às 15h?"));
    }

    [Test]
    public async Task LidAddressedChat_IsKeyedAndAnsweredByPhoneJid()
    {
        var lid = Payloads.Load("upsert_lid_inbound");
        var phoneJid = Payloads.NewChatId();
        lid["data"]!["key"]!["remoteJidAlt"] = phoneJid;
        lid["data"]!["key"]!["id"] = Payloads.NewMessageId();
        lid["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        Assert.That(await _app.DeliverAsync(_instance, lid), Is.EqualTo("ai_queued"));
        await WaitForSendsAsync(phoneJid, 1);
        Assert.That((await _app.GetSessionAsync(_instance, phoneJid)).GetProperty("chat_id").GetString(), Is.EqualTo(phoneJid));
    }
}
