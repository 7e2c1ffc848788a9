using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// GET and POST /webhooks/meta over real HTTP, as the fake Graph API posts them (signed over Meta's escaped bytes):
/// the handshake, signatures, routing by phone_number_id, batches, duplicates, the customer's messages answered, the
/// owner's echoes, statuses out of order and failed, and an instance with its own Meta app.
/// </summary>
public sealed class MetaWebhookTests
{
    private HybridFlowApp _app = null!;
    private string _instance = "";
    private string _phoneNumberId = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(realHttp: true);
        (_, _instance, _phoneNumberId) = await _app.CreateTenantWithMetaInstanceAsync();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private FakeGraphApi Graph => _app.Graph;

    private Task<long> CountAsync(string sql, params object[] args) => _app.ScalarAsync<long>(sql, args)!;

    private Task<long> MessagesOfAsync(string chatId) =>
        CountAsync("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1", chatId);

    // ---- handshake ----

    [Test]
    public async Task Handshake_WithTheVerifyToken_AnswersTheChallengeAsPlainText()
    {
        using var response = await _app.Client.GetAsync($"/webhooks/meta?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token={Graph.VerifyToken}");
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/plain"));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("1158201444"), "the challenge itself, never JSON-quoted");
    }

    [TestCase("subscribe", "not-the-token")]
    [TestCase("unsubscribe", null)]
    [TestCase(null, null)]
    public async Task Handshake_WithAWrongTokenOrMode_Is403(string? mode, string? token)
    {
        var query = $"hub.challenge=1158201444&hub.verify_token={token ?? Graph.VerifyToken}" + (mode is null ? "" : $"&hub.mode={mode}");
        using var response = await _app.Client.GetAsync("/webhooks/meta?" + query);
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Not.Contain("1158201444"));
    }

    // ---- signatures ----

    [Test]
    public async Task Signature_OverMetasEscapedBytes_WithNonAsciiAndAt_IsAccepted_AndTheTextIsStoredDecoded()
    {
        var waId = FakeGraphApi.NewWaId();
        const string text = "Olá! Posso pagar às 10h? Meu e-mail é ana@exemplo.com.br / ✓ 😀";
        var webhook = Graph.CustomerText(_phoneNumberId, waId, text);
        var wire = FakeGraphApi.WireBytes(webhook);
        Assert.That(Encoding.ASCII.GetString(wire), Does.Contain("\\u00e1").And.Contain("\\ud83d\\ude00").And.Contain("@").And.Contain("\\/"),
            "the body is on the wire as Meta writes it");

        using var response = await Graph.PostWebhookBytesAsync(wire, FakeGraphApi.Sign(wire, Graph.AppSecret));
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<string>("SELECT m.text FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1",
            FakeGraphApi.ChatOf(waId)), Is.EqualTo(text));
    }

    [Test]
    public async Task Signature_Wrong_Missing_OrOfAnotherBody_Is401_AndNothingIsStored()
    {
        var waId = FakeGraphApi.NewWaId();
        var wire = FakeGraphApi.WireBytes(Graph.CustomerText(_phoneNumberId, waId, "Olá, ana@exemplo.com"));
        var reserialised = Encoding.UTF8.GetBytes(JsonNode.Parse(wire)!.ToJsonString(new JsonSerializerOptions
            { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        string?[] signatures =
        [
            FakeGraphApi.Sign(wire, "another-app-secret-0123456789"),
            null,
            "sha256=",
            "sha1=" + new string('a', 40),
            "sha256=" + new string('z', 64),
            FakeGraphApi.Sign(reserialised, Graph.AppSecret), // the same JSON re-serialised: not what Meta signed
        ];
        foreach (var signature in signatures)
        {
            using var response = await Graph.PostWebhookBytesAsync(wire, signature);
            Assert.That((int)response.StatusCode, Is.EqualTo(401), signature ?? "no header");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        }
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(waId)), Is.Zero);
        Assert.That(await CountAsync("SELECT count(*) FROM sessions WHERE chat_id = $1", FakeGraphApi.ChatOf(waId)), Is.Zero);
    }

    [Test]
    public async Task NoAppSecretConfigured_FailsClosed()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["META_APP_SECRET"] = "" });
        var (_, _, phoneNumberId) = await app.CreateTenantWithMetaInstanceAsync();
        var waId = FakeGraphApi.NewWaId();
        var webhook = app.Graph.CustomerText(phoneNumberId, waId, "Oi");
        using var signed = await app.Graph.PostWebhookAsync(webhook);
        Assert.That((int)signed.StatusCode, Is.EqualTo(401));
        var wire = FakeGraphApi.WireBytes(webhook);
        using var signedWithEmpty = await app.Graph.PostWebhookBytesAsync(wire, FakeGraphApi.Sign(wire, ""));
        Assert.That((int)signedWithEmpty.StatusCode, Is.EqualTo(401), "an empty key signs nothing");
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages"), Is.Zero);
    }

    // ---- routing, batches, duplicates ----

    [Test]
    public async Task UnknownPhoneNumberId_Is200_StoresNothing_AndIsCounted()
    {
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText("999000111222333", waId, "Oi")), Is.EqualTo("ignored_unknown_number"));
        Assert.That(await CountAsync("SELECT count(*) FROM sessions WHERE chat_id = $1", FakeGraphApi.ChatOf(waId)), Is.Zero);
        var metrics = await (await _app.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.That(metrics, Does.Match(@"hybridflow_meta_unknown_phone_numbers_total [1-9]"));
        Assert.That(metrics, Does.Contain("hybridflow_webhooks_total{action=\"ignored_unknown_number\"}"));
    }

    [Test]
    public async Task ABatchOfSeveralEntriesAndChanges_IsHandledItemByItem()
    {
        var (_, _, otherPhoneNumberId) = await _app.CreateTenantWithMetaInstanceAsync(new { reply_mode = "off" });
        var first = FakeGraphApi.NewWaId();
        var second = FakeGraphApi.NewWaId();
        var third = FakeGraphApi.NewWaId();
        var twoMessages = Graph.CustomerText(_phoneNumberId, first, "Primeira");
        FakeGraphApi.ValueOf(twoMessages)["messages"]!.AsArray().Add(Graph.CustomerText(_phoneNumberId, first, "Segunda")["entry"]![0]!["changes"]![0]!["value"]!["messages"]![0]!.DeepClone());
        var secondChange = Graph.CustomerText(_phoneNumberId, second, "Outro cliente");
        twoMessages["entry"]![0]!["changes"]!.AsArray().Add(secondChange["entry"]![0]!["changes"]![0]!.DeepClone());
        var batch = FakeGraphApi.Batch(twoMessages, Graph.CustomerText(otherPhoneNumberId, third, "Outra instância"),
            Graph.CustomerText("999000111222444", FakeGraphApi.NewWaId(), "Ninguém"));

        Assert.That(await Graph.DeliverAsync(batch), Is.EqualTo("batch"));
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(first)), Is.EqualTo(2), "both messages of the first change");
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(second)), Is.EqualTo(1), "the entry's second change");
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(third)), Is.EqualTo(1), "the second entry, routed to its own instance");
        Assert.That(await _app.TimelineAsync(_instance, FakeGraphApi.ChatOf(first)), Does.Contain("ai_queued"));
    }

    [Test]
    public async Task ADuplicateDelivery_ChangesNothing()
    {
        var waId = FakeGraphApi.NewWaId();
        var webhook = Graph.CustomerText(_phoneNumberId, waId, "Vocês abrem amanhã?");
        Assert.That(await Graph.DeliverAsync(webhook), Is.EqualTo("ai_queued"));
        var chat = FakeGraphApi.ChatOf(waId);
        var jobs = await CountAsync("SELECT count(*) FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat);
        var events = await CountAsync("SELECT count(*) FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1", chat);

        Assert.That(await Graph.DeliverAsync(webhook), Is.EqualTo("duplicate_ignored"));
        Assert.That(await MessagesOfAsync(chat), Is.EqualTo(1));
        Assert.That(await CountAsync("SELECT count(*) FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(jobs));
        Assert.That(await CountAsync("SELECT count(*) FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(events));
    }

    // ---- the conversation ----

    [Test]
    public async Task ACustomerMessage_QueuesAReply_StampedWithWhatsAppsTime_AndItsContactName()
    {
        var waId = FakeGraphApi.NewWaId();
        var sentAt = _app.Clock.GetUtcNow().AddSeconds(-20);
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(_phoneNumberId, waId, "Qual o horário?", at: sentAt)), Is.EqualTo("ai_queued"));
        var chat = FakeGraphApi.ChatOf(waId);
        Assert.That(await CountAsync("SELECT count(*) FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync<DateTime>("SELECT m.sent_at FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo(sentAt.UtcDateTime).Within(TimeSpan.FromSeconds(1)));
        Assert.That(await _app.ScalarAsync<string>("SELECT contact_name FROM sessions WHERE chat_id = $1", chat), Is.EqualTo("Sheena"));
    }

    [TestCase("messages_interactive", "Opening hours")]
    [TestCase("messages_button", "Yes, please")]
    [TestCase("messages_image", "Is this cake available?")]
    public async Task RepliesAndCaptions_AreTheMessagesText(string payload, string text)
    {
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage(payload, _phoneNumberId, waId)), Is.EqualTo("ai_queued"));
        Assert.That(await _app.ScalarAsync<string>("SELECT m.text FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1",
            FakeGraphApi.ChatOf(waId)), Is.EqualTo(text));
    }

    [TestCase("messages_image", "imageMessage", "1003383421387256")]
    [TestCase("messages_audio", "audioMessage", "1266417858432543")]
    public async Task PhotosAndVoiceNotes_AreRecordedWithTheirMediaId_ForTheReplyJob(string payload, string type, string mediaId)
    {
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage(payload, _phoneNumberId, waId)), Is.EqualTo("ai_queued"));
        var chat = FakeGraphApi.ChatOf(waId);
        Assert.That(await _app.ScalarAsync<string>("SELECT m.message_type FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo(type));
        Assert.That(await _app.ScalarAsync<string>("SELECT m.provider_media_id FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo(mediaId));
    }

    [Test]
    public async Task AUsernameWithoutWaIdOrProfile_IsKeyedOnItsBusinessScopedUserId()
    {
        var webhook = FakeGraphApi.LoadWebhook("messages_bsuid");
        var userId = "US." + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        FakeGraphApi.ValueOf(webhook)["metadata"]!["phone_number_id"] = _phoneNumberId;
        FakeGraphApi.ValueOf(webhook)["contacts"]![0]!["user_id"] = userId;
        FakeGraphApi.ValueOf(webhook)["messages"]![0]!["from_user_id"] = userId;
        FakeGraphApi.ValueOf(webhook)["messages"]![0]!["id"] = FakeGraphApi.NewInboundWamid();
        FakeGraphApi.ValueOf(webhook)["messages"]![0]!["timestamp"] = _app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString();
        Assert.That(await Graph.DeliverAsync(webhook), Is.EqualTo("ai_queued"));
        Assert.That(await MessagesOfAsync(userId + "@bsuid"), Is.EqualTo(1));
    }

    [Test]
    public async Task UnknownTypesAndUnreadableItems_AreNeverAnError()
    {
        var waId = FakeGraphApi.NewWaId();
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage("messages_unsupported", _phoneNumberId, waId)), Is.EqualTo("ignored_unsupported"));
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage("messages_text", _phoneNumberId, waId, adjust: m =>
        {
            m["type"] = "a_type_from_2030";
            m.Remove("text");
        })), Is.EqualTo("ignored_unsupported"));
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage("messages_text", _phoneNumberId, waId, adjust: m =>
        {
            m.Remove("from");
            m.Remove("id");
        })), Is.EqualTo("ignored_unsupported"));
        Assert.That(await Graph.DeliverAsync(Graph.CustomerMessage("messages_text", _phoneNumberId, waId, adjust: m => m["type"] = "reaction")),
            Is.EqualTo("ignored_unsupported"));
        var noProfile = Graph.CustomerText(_phoneNumberId, waId, "sem perfil");
        FakeGraphApi.ValueOf(noProfile)["contacts"]![0]!.AsObject().Remove("profile");
        Assert.That(await Graph.DeliverAsync(noProfile), Is.EqualTo("ai_queued"));
        Assert.That(await Graph.DeliverAsync(new JsonObject { ["object"] = "page", ["entry"] = new JsonArray() }), Is.EqualTo("ignored_event"));
    }

    [Test]
    public async Task TheOwnersEcho_PausesTheBot_AndCancelsTheUnsentReply()
    {
        var waId = FakeGraphApi.NewWaId();
        var chat = FakeGraphApi.ChatOf(waId);
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(_phoneNumberId, waId, "Alguém aí?")), Is.EqualTo("ai_queued"));
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Oi! Aqui é a dona, já te atendo.")), Is.EqualTo("paused"));

        var session = await _app.GetSessionAsync(_instance, chat);
        Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.True);
        Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT m.direction FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 ORDER BY m.id DESC LIMIT 1", chat), Is.EqualTo("human"));
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(_phoneNumberId, waId, "Ok, obrigado")), Is.EqualTo("ignored_paused"));
    }

    [Test]
    public async Task AnEchoOfAMessageAlreadyStored_ChangesNothing()
    {
        var waId = FakeGraphApi.NewWaId();
        var wamid = FakeGraphApi.NewInboundWamid();
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Primeira vez", wamid)), Is.EqualTo("paused"));
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Primeira vez", wamid)), Is.EqualTo("duplicate_ignored"));
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(waId)), Is.EqualTo(1));
    }

    [Test]
    public async Task AnEchoOfOurOwnSend_IsSkipped()
    {
        var waId = FakeGraphApi.NewWaId();
        var chat = FakeGraphApi.ChatOf(waId);
        var wamid = FakeGraphApi.NewInboundWamid();
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(_phoneNumberId, waId, "Oi")), Is.EqualTo("ai_queued"));
        // The bot's message as the reply job records it: this wamid is ours.
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Olá! Como posso ajudar?", wamid)), Is.EqualTo("paused"));
        await _app.ScalarAsync<long>("UPDATE messages SET direction = 'bot' WHERE provider_message_id = $1", wamid);
        await _app.Admin.PostAsync($"/sessions/{_instance}/{chat}/resume", null);
        var events = await CountAsync("SELECT count(*) FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1", chat);

        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Olá! Como posso ajudar?", wamid)), Is.EqualTo("ignored_echo"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await CountAsync("SELECT count(*) FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(events));
    }

    [Test]
    public async Task RevokeAndEditEchoes_AreRecorded()
    {
        var waId = FakeGraphApi.NewWaId();
        var chat = FakeGraphApi.ChatOf(waId);
        var original = FakeGraphApi.NewInboundWamid();
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Promoção até sexta", original)), Is.EqualTo("paused"));

        Assert.That(await Graph.DeliverAsync(Graph.Echo("echo_edit", _phoneNumberId, waId, adjust: e => e["edit"]!["original_message_id"] = original)),
            Is.EqualTo("message_edited"));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT m.text FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.message_type = 'edit'", chat),
            Is.EqualTo("Hi! This is the owner (edited)."));

        Assert.That(await Graph.DeliverAsync(Graph.Echo("echo_revoke", _phoneNumberId, waId, adjust: e => e["revoke"]!["original_message_id"] = original)),
            Is.EqualTo("message_deleted"));
        Assert.That(await _app.ScalarAsync<bool>("SELECT deleted_at IS NOT NULL FROM messages WHERE provider_message_id = $1", original), Is.True);
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("message_edited").And.Contain("message_deleted"));
    }

    // ---- statuses ----

    [Test]
    public async Task Statuses_OutOfOrder_OnlyMoveForward_AndOneBeforeItsMessageWaits()
    {
        var waId = FakeGraphApi.NewWaId();
        var wamid = FakeGraphApi.NewInboundWamid();
        // The status beats its message.
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "delivered", waId)), Is.EqualTo("status_updated"));
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Seu pedido saiu", wamid)), Is.EqualTo("paused"));
        Assert.That(await _app.ScalarAsync<string>("SELECT status FROM messages WHERE provider_message_id = $1", wamid), Is.EqualTo("DELIVERY_ACK"));

        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "read", waId)), Is.EqualTo("status_updated"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "sent", waId)), Is.EqualTo("status_updated"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "delivered", waId)), Is.EqualTo("status_updated"));
        Assert.That(await _app.ScalarAsync<string>("SELECT status FROM messages WHERE provider_message_id = $1", wamid), Is.EqualTo("READ"));
        Assert.That(await _app.ScalarAsync<bool>("SELECT read_at IS NOT NULL AND delivered_at IS NOT NULL FROM messages WHERE provider_message_id = $1", wamid), Is.True);
    }

    [Test]
    public async Task AFailedStatus_ShowsOnTheTimeline_WithItsCodeAndAReadableReason()
    {
        var waId = FakeGraphApi.NewWaId();
        var wamid = FakeGraphApi.NewInboundWamid();
        Assert.That(await Graph.DeliverAsync(Graph.OwnerEcho(_phoneNumberId, waId, "Voltou a falar com a gente?", wamid)), Is.EqualTo("paused"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "sent", waId)), Is.EqualTo("status_updated"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "failed", waId, errorCode: 131047)), Is.EqualTo("message_failed"));
        // Repeated, and a late sent: nothing more.
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "failed", waId, errorCode: 131047)), Is.EqualTo("message_failed"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "sent", waId)), Is.EqualTo("status_updated"));

        Assert.That(await _app.ScalarAsync<string>("SELECT status FROM messages WHERE provider_message_id = $1", wamid), Is.EqualTo("FAILED"));
        var details = await CountAsync(
            "SELECT count(*) FROM session_events e JOIN messages m ON m.id = e.message_id WHERE m.provider_message_id = $1 AND e.action = 'message_failed'", wamid);
        Assert.That(details, Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN messages m ON m.id = e.message_id WHERE m.provider_message_id = $1 AND e.action = 'message_failed'", wamid),
            Is.EqualTo("131047: more than 24 hours since the customer's last message: only a template can be sent"));

        var sessionId = (await _app.GetSessionAsync(_instance, FakeGraphApi.ChatOf(waId))).GetProperty("id").GetInt64();
        var timeline = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/events?session_id={sessionId}");
        Assert.That(timeline.ToString(), Does.Contain("message_failed").And.Contain("131047"));
    }

    [Test]
    public async Task AStatusCarryingCallbackData_IsKeptAsTheSendsProof()
    {
        var waId = FakeGraphApi.NewWaId();
        var wamid = FakeGraphApi.NewInboundWamid();
        var callback = "job-" + Random.Shared.Next() + ":0";
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "sent", waId, callbackData: callback)), Is.EqualTo("status_updated"));
        Assert.That(await Graph.DeliverAsync(Graph.Status(_phoneNumberId, wamid, "delivered", waId, callbackData: callback)), Is.EqualTo("status_updated"));
        Assert.That(await _app.ScalarAsync<string>("SELECT provider_message_id FROM meta_send_proofs WHERE callback_data = $1", callback), Is.EqualTo(wamid));
        Assert.That(await CountAsync("SELECT count(*) FROM meta_send_proofs WHERE callback_data = $1", callback), Is.EqualTo(1));
    }

    [Test]
    public async Task TheSourceLimit_ComesBeforeTheSignature_AndTheInstanceLimit_AfterRouting()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = "2",
            ["RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"] = "2",
        }, realHttp: true);
        var (_, _, phoneNumberId) = await app.CreateTenantWithMetaInstanceAsync(new { reply_mode = "off" });
        var (_, _, otherNumber) = await app.CreateTenantWithMetaInstanceAsync(new { reply_mode = "off" });

        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(phoneNumberId, FakeGraphApi.NewWaId(), "1")), Is.EqualTo("recorded"));
        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(phoneNumberId, FakeGraphApi.NewWaId(), "2")), Is.EqualTo("recorded"));
        var third = FakeGraphApi.NewWaId();
        using (var limited = await app.Graph.PostWebhookAsync(app.Graph.CustomerText(phoneNumberId, third, "3")))
            Assert.That((int)limited.StatusCode, Is.EqualTo(429), "the instance's budget is spent");
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", FakeGraphApi.ChatOf(third)), Is.Zero);
        Assert.That(await app.Graph.DeliverAsync(app.Graph.CustomerText(otherNumber, FakeGraphApi.NewWaId(), "outro")), Is.EqualTo("recorded"),
            "another instance behind the same address still gets through");

        var wire = FakeGraphApi.WireBytes(app.Graph.CustomerText(otherNumber, FakeGraphApi.NewWaId(), "x"));
        for (var i = 0; i < 2; i++)
            using (var refused = await app.Graph.PostWebhookBytesAsync(wire, FakeGraphApi.Sign(wire, "wrong-secret-0123456789")))
                Assert.That((int)refused.StatusCode, Is.EqualTo(401));
        using var blocked = await app.Graph.PostWebhookBytesAsync(wire, FakeGraphApi.Sign(wire, app.Graph.AppSecret));
        Assert.That((int)blocked.StatusCode, Is.EqualTo(429), "the source's refusals ran out: even a good signature waits");
    }

    // ---- an instance with its own Meta app ----

    [Test]
    public async Task AnInstanceWithItsOwnApp_HasItsOwnRoute_Secret_AndToken()
    {
        const string ownSecret = "tenant-own-app-secret-0123456789";
        const string ownToken = "tenant-own-verify-token-0123456789";
        var (tenantId, _, _) = await _app.CreateTenantWithMetaInstanceAsync();
        var name = "meta-own-" + string.Concat(Guid.NewGuid().ToString("N")[..8].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));
        var phoneNumberId = "1077" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999);
        using (var created = await _app.Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = name, ["provider"] = "meta_cloud", ["meta_phone_number_id"] = phoneNumberId,
            ["meta_waba_id"] = "102290129340398", ["meta_access_token"] = FakeGraphApi.DefaultAccessToken,
            ["meta_app_secret"] = ownSecret, ["meta_verify_token"] = ownToken,
        }))
            Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
        var route = "/webhooks/meta/" + name;

        using (var handshake = await _app.Client.GetAsync($"{route}?hub.mode=subscribe&hub.challenge=77&hub.verify_token={ownToken}"))
            Assert.That(await handshake.Content.ReadAsStringAsync(), Is.EqualTo("77"));
        using (var platformToken = await _app.Client.GetAsync($"{route}?hub.mode=subscribe&hub.challenge=77&hub.verify_token={Graph.VerifyToken}"))
            Assert.That((int)platformToken.StatusCode, Is.EqualTo(403));
        using (var unknown = await _app.Client.GetAsync($"/webhooks/meta/no-such-instance?hub.mode=subscribe&hub.challenge=77&hub.verify_token={ownToken}"))
            Assert.That((int)unknown.StatusCode, Is.EqualTo(403));

        var waId = FakeGraphApi.NewWaId();
        using (var platformSigned = await Graph.PostWebhookAsync(Graph.CustomerText(phoneNumberId, waId, "Oi"), path: route))
            Assert.That((int)platformSigned.StatusCode, Is.EqualTo(401), "the route takes the instance's own secret");
        using (var unknownRoute = await Graph.PostWebhookAsync(Graph.CustomerText(phoneNumberId, waId, "Oi"), ownSecret, "/webhooks/meta/no-such-instance"))
            Assert.That((int)unknownRoute.StatusCode, Is.EqualTo(401), "an unknown instance answers like a wrong signature");
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(waId)), Is.Zero);

        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(phoneNumberId, waId, "Oi"), ownSecret, route), Is.EqualTo("ai_queued"));
        Assert.That(await MessagesOfAsync(FakeGraphApi.ChatOf(waId)), Is.EqualTo(1));
        // Another number on the instance's route is not this instance's: 200, not stored.
        Assert.That(await Graph.DeliverAsync(Graph.CustomerText(_phoneNumberId, FakeGraphApi.NewWaId(), "Oi"), ownSecret, route), Is.EqualTo("ignored_unknown_number"));
    }
}
