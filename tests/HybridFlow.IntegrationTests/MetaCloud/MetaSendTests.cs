using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// Issue 21 item 4 over real HTTP: replies, parts, API sends and media of a Cloud API number go through the fake Graph API
/// with the instance's token and the send's callback data; Meta's errors are classified (throttles back off without using
/// an attempt, permanent errors are not retried), and a send whose answer was lost is proved by a stored status or left
/// to a person, never resent.
/// </summary>
/// <remarks>The customer's messages come in as Meta posts them: signed deliveries to /webhooks/meta.</remarks>
public sealed class MetaSendTests
{
    private static readonly byte[] VoiceNote = [0x4F, 0x67, 0x67, 0x53, 1, 2, 3, 4, 5];
    private const string ThreeParagraphs = "Olá! Temos bolo de cenoura hoje.\n\nSai do forno às 15h.\n\nQuer que eu separe um?";
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";
    private string _phoneNumberId = "";
    private string _adminKey = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            // Vouches for every instance on the Evolution path: a Cloud API instance must still refuse that path.
            ["EVOLUTION_WEBHOOK_SHARED_SECRET"] = HybridFlowApp.WebhookSecret,
            ["META_STATUS_WAIT_SECONDS"] = "3",
            // The Graph API's timeout (EVOLUTION_TIMEOUT is the channel's), short for the held answer.
            ["EVOLUTION_TIMEOUT"] = "2",
        });
        (_tenantId, _instance, _phoneNumberId) = await _app.CreateTenantWithMetaInstanceAsync();
        _adminKey = await _app.CreateApiKeyAsync(_tenantId, "tenant_admin");
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Graph.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Abrimos amanhã às 7h!";
    }

    private static string NewChat() => "1650" + Random.Shared.NextInt64(1_000_000, 9_999_999) + "@s.whatsapp.net";

    private static string Digits(string chat) => chat[..chat.IndexOf('@')];

    private Task<IReadOnlyList<string>> TimelineAsync(string chat) => _app.TimelineAsync(_instance, chat);

    private Task WaitForTimelineAsync(string chat, string action, TimeSpan? timeout = null) =>
        HybridFlowApp.EventuallyAsync(async () => (await TimelineAsync(chat)).Contains(action), action + " on the timeline", timeout);

    private Task<string?> JobStatusAsync(string chat) => _app.ScalarAsync<string>(
        "SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 AND j.kind = 'reply' ORDER BY j.id DESC LIMIT 1", chat);

    private Task<long> JobIdAsync(string chat) => _app.ScalarAsync<long>(
        "SELECT j.id FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 ORDER BY j.id DESC LIMIT 1", chat);

    private IReadOnlyList<RecordedRequest> SendsTo(string chat) =>
        [.. _app.Graph.SentMessages.Where(r => r.Json.GetProperty("to").GetString() == Digits(chat))];

    private IReadOnlyList<RecordedRequest> CallsTo(string chat) =>
        [.. _app.Graph.MessageCalls.Where(r => r.Json.GetProperty("to").GetString() == Digits(chat))];

    private static string Text(RecordedRequest send) => send.Json.GetProperty("text").GetProperty("body").GetString()!;

    private static string? CallbackData(RecordedRequest send) =>
        send.Json.TryGetProperty("biz_opaque_callback_data", out var data) ? data.GetString() : null;

    private Task<string> CustomerWritesAsync(string chat, string text, string? messageId = null) =>
        _app.Graph.DeliverAsync(_app.Graph.CustomerText(_phoneNumberId, Digits(chat), text, messageId));

    [Test]
    public async Task AnEvolutionDelivery_ForACloudApiInstance_Is409_AndStoresNothing()
    {
        var chat = NewChat();
        var response = await _app.PostWebhookAsync(_instance, Payloads.CustomerText(chat, "Oi pelo caminho errado"));
        var problem = await ApiAssert.ProblemAsync(response, 409);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("/webhooks/meta"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", chat), Is.EqualTo(0));
    }

    [Test]
    public async Task Reply_GoesThroughGraph_WithTheTokenAndTheJobsCallbackData()
    {
        var chat = NewChat();
        Assert.That(await CustomerWritesAsync(chat, "Vocês abrem amanhã?"), Is.EqualTo("ai_queued"));
        await WaitForTimelineAsync(chat, "ai_replied");

        var send = SendsTo(chat).Single();
        Assert.That(send.Path, Is.EqualTo($"/{FakeGraphApi.Version}/{_phoneNumberId}/messages"));
        Assert.That(send.Header("authorization"), Is.EqualTo("Bearer " + FakeGraphApi.DefaultAccessToken));
        Assert.That(send.Json.GetProperty("messaging_product").GetString(), Is.EqualTo("whatsapp"));
        Assert.That(send.Json.GetProperty("type").GetString(), Is.EqualTo("text"));
        Assert.That(Text(send), Is.EqualTo("Abrimos amanhã às 7h!"));
        Assert.That(send.Json.GetProperty("text").GetProperty("preview_url").GetBoolean(), Is.False);
        Assert.That(CallbackData(send), Is.EqualTo($"{await JobIdAsync(chat)}:0"));

        // The bot's message is recorded under the wamid Meta answered.
        var wamid = FakeGraphApi.WamidOf(send)!;
        Assert.That(await _app.ScalarAsync<string>("SELECT direction FROM messages WHERE provider_message_id = $1", wamid), Is.EqualTo("bot"));
        Assert.That(await JobStatusAsync(chat), Is.EqualTo("sent"));
    }

    [Test]
    public async Task LongReply_GoesOutInParts_EachWithItsOwnCallbackData()
    {
        var chat = NewChat();
        _app.Llm.ReplyText = ThreeParagraphs;
        await CustomerWritesAsync(chat, "Tem bolo?");
        await WaitForTimelineAsync(chat, "ai_replied");

        var sends = SendsTo(chat);
        var job = await JobIdAsync(chat);
        Assert.That(sends.Select(Text), Is.EqualTo(ThreeParagraphs.Split("\n\n")));
        Assert.That(sends.Select(CallbackData), Is.EqualTo(new[] { $"{job}:0", $"{job}:1", $"{job}:2" }));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'bot'", chat),
            Is.EqualTo(3));
    }

    [TestCase(130429)]
    [TestCase(131056)]
    public async Task Throttled_BacksOffAndSendsAgain_WithoutUsingAnAttempt(int code)
    {
        var chat = NewChat();
        _app.Graph.FailNext(code);
        await CustomerWritesAsync(chat, "Oi, tudo bem?");
        await WaitForTimelineAsync(chat, "ai_rate_limited");
        Assert.That(CallsTo(chat), Has.Count.EqualTo(1), "refused, nothing sent yet");
        Assert.That(await _app.ScalarAsync<int>(
            "SELECT j.attempts FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(0), "the attempt was given back");

        // The wait Meta asks for (6 s for the pair rate limit) passes.
        _app.Clock.Advance(TimeSpan.FromSeconds(7));
        await WaitForTimelineAsync(chat, "ai_replied");
        Assert.That(SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That(await _app.ScalarAsync<int>(
            "SELECT j.attempts FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo(1));
        Assert.That(await TimelineAsync(chat), Is.EqualTo(new[] { "ai_queued", "ai_rate_limited", "ai_replied" }));
    }

    [Test]
    public async Task PermanentError_IsNotRetried()
    {
        var chat = NewChat();
        _app.Graph.FailNext(131026);
        await CustomerWritesAsync(chat, "Oi?");
        await WaitForTimelineAsync(chat, "ai_failed");
        await Task.Delay(1000);

        Assert.That(CallsTo(chat), Has.Count.EqualTo(1), "one call, never again");
        Assert.That(await JobStatusAsync(chat), Is.EqualTo("dead"));
        var detail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'ai_failed'", chat);
        Assert.That(detail, Does.Contain("131026"));
    }

    [Test]
    public async Task LostAnswer_IsProvedByTheStoredStatusOfItsCallbackData()
    {
        var chat = NewChat();
        _app.Graph.SendThenDropNext();
        await CustomerWritesAsync(chat, "Qual o horário?");
        await HybridFlowApp.EventuallyAsync(() => _app.Graph.SentMessages.Any(r => r.Json.GetProperty("to").GetString() == Digits(chat)), "the send");
        var send = SendsTo(chat).Single();
        await HybridFlowApp.EventuallyAsync(async () => await JobStatusAsync(chat) == "unconfirmed", "the job awaits proof");

        // What the webhook keeps when Meta's sent status carries our callback data.
        var wamid = FakeGraphApi.WamidOf(send)!;
        var instanceId = await _app.ScalarAsync<long>("SELECT id FROM instances WHERE instance_name = $1", _instance);
        await _app.Services.GetRequiredService<ISendProofStore>()
            .RecordAsync(instanceId, CallbackData(send)!, wamid, "sent", _app.Clock.GetUtcNow(), CancellationToken.None);

        await WaitForTimelineAsync(chat, "ai_send_confirmed");
        Assert.That(await JobStatusAsync(chat), Is.EqualTo("sent"));
        Assert.That(await _app.ScalarAsync<string>("SELECT direction FROM messages WHERE provider_message_id = $1", wamid), Is.EqualTo("bot"));
        Assert.That(CallsTo(chat), Has.Count.EqualTo(1), "never sent twice");
    }

    [Test]
    public async Task HeldAnswer_TimesOut_AndIsSettledByProof_NotResent()
    {
        var chat = NewChat();
        var release = new TaskCompletionSource();
        _app.Graph.HoldNext(release.Task);
        try
        {
            await CustomerWritesAsync(chat, "Qual o horário?");
            await HybridFlowApp.EventuallyAsync(async () => await JobStatusAsync(chat) == "unconfirmed", "the timeout leaves the send unproved", TimeSpan.FromSeconds(20));
            var send = SendsTo(chat).Single();
            var instanceId = await _app.ScalarAsync<long>("SELECT id FROM instances WHERE instance_name = $1", _instance);
            await _app.Services.GetRequiredService<ISendProofStore>()
                .RecordAsync(instanceId, CallbackData(send)!, FakeGraphApi.WamidOf(send)!, "delivered", _app.Clock.GetUtcNow(), CancellationToken.None);
            await WaitForTimelineAsync(chat, "ai_send_confirmed");
            Assert.That(CallsTo(chat), Has.Count.EqualTo(1));
        }
        finally
        {
            release.TrySetResult();
        }
    }

    [Test]
    public async Task ServerError_IsRetried()
    {
        var chat = NewChat();
        _app.Graph.FailNext(1, status: 500);
        await CustomerWritesAsync(chat, "Oi!");
        await WaitForTimelineAsync(chat, "ai_replied");
        Assert.That(await TimelineAsync(chat), Is.EqualTo(new[] { "ai_queued", "ai_retry", "ai_replied" }));
        Assert.That(SendsTo(chat), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task LostAnswer_WithoutAStatusWithinTheWait_NeedsAPerson_AndIsNeverResent()
    {
        var chat = NewChat();
        _app.Graph.SendThenDropNext();
        await CustomerWritesAsync(chat, "Qual o horário?");
        // META_STATUS_WAIT_SECONDS is 3 here.
        await WaitForTimelineAsync(chat, "ai_outcome_unknown", TimeSpan.FromSeconds(20));

        Assert.That(await JobStatusAsync(chat), Is.EqualTo("needs_attention"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("needs_attention").GetBoolean(), Is.True);
        await Task.Delay(1000);
        Assert.That(CallsTo(chat), Has.Count.EqualTo(1), "never resent blindly");
        var detail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'ai_outcome_unknown'", chat);
        Assert.That(detail, Does.Contain("META_STATUS_WAIT_SECONDS"));
    }

    [Test]
    public async Task TypingAndRead_GoOutOnlyWhenTheBotAnswers()
    {
        var answered = NewChat();
        var customerMessage = FakeGraphApi.NewInboundWamid();
        await CustomerWritesAsync(answered, "Oi!", customerMessage);
        await WaitForTimelineAsync(answered, "ai_replied");
        var read = _app.Graph.ReadCalls.Single(r => r.Json.GetProperty("message_id").GetString() == customerMessage);
        Assert.That(read.Json.GetProperty("typing_indicator").GetProperty("type").GetString(), Is.EqualTo("text"));
        Assert.That(read.Header("authorization"), Is.EqualTo("Bearer " + FakeGraphApi.DefaultAccessToken));
        Assert.That(read.ReceivedAt, Is.LessThanOrEqualTo(SendsTo(answered).Single().ReceivedAt), "typing before the reply");

        // A paused chat: the bot does not answer, so nothing says "read" or "typing".
        var paused = NewChat();
        var silent = FakeGraphApi.NewInboundWamid();
        await CustomerWritesAsync(paused, "Primeira mensagem");
        await WaitForTimelineAsync(paused, "ai_replied");
        var sessionId = (await _app.GetSessionAsync(_instance, paused)).GetProperty("id").GetInt64();
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{sessionId}/pause", null), 200);
        Assert.That(await CustomerWritesAsync(paused, "Alguém aí?", silent), Is.EqualTo("ignored_paused"));
        await Task.Delay(1000);
        Assert.That(_app.Graph.ReadCalls.Where(r => r.Json.GetProperty("message_id").GetString() == silent), Is.Empty);
    }

    [Test]
    public async Task VoiceNote_IsFetchedThroughTheMediaApi_TranscribedAndAnswered()
    {
        var chat = NewChat();
        var id = FakeGraphApi.NewInboundWamid();
        const string mediaId = "1013859600285441";
        _app.Graph.AddMedia(mediaId, "audio/ogg; codecs=opus", VoiceNote);
        await _app.Admin.PatchAsync($"/api/tenants/{_tenantId}",
            JsonContent("""{"transcription_model": "gpt-4o-mini-transcribe", "debounce_seconds": 2}"""));
        _app.Llm.TranscriptText = "Vocês abrem amanhã cedo?";
        try
        {
            var audio = _app.Graph.CustomerMessage("messages_audio", _phoneNumberId, Digits(chat), id,
                adjust: m => m["audio"]!["id"] = mediaId);
            Assert.That(await _app.Graph.DeliverAsync(audio), Is.EqualTo("ai_queued"));

            await WaitForTimelineAsync(chat, "ai_replied");
            var mediaCalls = _app.Graph.Requests.Where(r => r.Path.Contains(mediaId, StringComparison.Ordinal)).ToList();
            Assert.That(mediaCalls.Select(r => r.Path), Is.EqualTo(new[] { $"/{FakeGraphApi.Version}/{mediaId}", $"/media-download/{mediaId}" }));
            Assert.That(mediaCalls.Select(r => r.Header("authorization")), Is.All.EqualTo("Bearer " + FakeGraphApi.DefaultAccessToken),
                "the media URL needs the token too");
            var transcription = _app.Llm.Requests.Single(r => r.Path.EndsWith("/audio/transcriptions", StringComparison.Ordinal));
            Assert.That(transcription.Files.Single().Data, Is.EqualTo(VoiceNote));
            Assert.That(await TimelineAsync(chat), Is.EqualTo(new[] { "ai_queued", "media_transcribed", "ai_replied" }));
        }
        finally
        {
            await _app.Admin.PatchAsync($"/api/tenants/{_tenantId}", JsonContent("""{"transcription_model": null, "debounce_seconds": 0}"""));
        }
    }

    [Test]
    public async Task ApiSend_ToACloudInstance_GoesThroughGraph_WithItsLedgerIdAsCallbackData()
    {
        var chat = NewChat();
        // The customer wrote a minute ago: WhatsApp's 24-hour window is open (a closed one is ServiceWindowTests').
        await MetaChatSeed.CustomerWroteAsync(_app, _instance, chat, _app.Clock.GetUtcNow().AddMinutes(-1));
        var sent = await _app.SendMessageAsync(_adminKey, new { instance_name = _instance, number = Digits(chat), text = "Seu pedido saiu para entrega.", @as = "bot" });
        var send = SendsTo(chat).Single();
        Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.EqualTo(FakeGraphApi.WamidOf(send)));
        Assert.That(Text(send), Is.EqualTo("Seu pedido saiu para entrega."));
        Assert.That(send.Header("authorization"), Is.EqualTo("Bearer " + FakeGraphApi.DefaultAccessToken));
        var ledgerId = await _app.ScalarAsync<long>(
            "SELECT j.id FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 AND j.kind = 'api_bot'", chat);
        Assert.That(CallbackData(send), Is.EqualTo(ledgerId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(await TimelineAsync(chat), Does.Contain("bot_sent"));

        // The same rules: a permanent refusal is the caller's 502 and is not retried.
        var refused = NewChat();
        await MetaChatSeed.CustomerWroteAsync(_app, _instance, refused, _app.Clock.GetUtcNow().AddMinutes(-1));
        _app.Graph.FailNext(131026);
        var response = await _app.PostWithKeyAsync(ApiCalls.SendMessagePath, new { instance_name = _instance, number = Digits(refused), text = "Oi", @as = "bot" }, _adminKey);
        var problem = await ApiAssert.ProblemAsync(response, 502);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Graph API error"));
        Assert.That(problem.GetProperty("detail").GetString(), Does.StartWith("The Cloud API did not send the message"));
        Assert.That(CallsTo(refused), Has.Count.EqualTo(1));
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
