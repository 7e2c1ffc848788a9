using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Media;

/// <summary>Issue 10 item 4 over HTTP: voice notes and photos fetched from Evolution, understood, and answered.</summary>
public sealed class MediaTests
{
    private static readonly byte[] VoiceNote = [0x4F, 0x67, 0x67, 0x53, 1, 2, 3, 4, 5];
    private static readonly byte[] Photo = [0xFF, 0xD8, 0xFF, 0xE0, 9, 8, 7, 6];
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
    public async Task ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Abrimos amanhã às 7h!";
        await PatchTenantAsync(_tenantId, new { transcription_model = (string?)null, vision_model = (string?)null, unsupported_media_reply = (string?)null });
    }

    private async Task PatchTenantAsync(long tenantId, object fields)
    {
        var response = await _app.Admin.PatchAsJsonAsync($"/api/tenants/{tenantId}", fields);
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
    }

    private static JsonObject Audio(string chat, string id, int seconds = 7, long? fileLength = null)
    {
        var p = Payloads.Load("upsert_audio");
        p["data"]!["key"]!["remoteJid"] = chat;
        p["data"]!["key"]!["id"] = id;
        p["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        p["data"]!["message"]!["audioMessage"]!["seconds"] = seconds;
        if (fileLength is { } length) p["data"]!["message"]!["audioMessage"]!["fileLength"] = new JsonObject { ["low"] = length, ["high"] = 0, ["unsigned"] = true };
        return p;
    }

    private static JsonObject Image(string chat, string id, string? caption)
    {
        var p = Payloads.Load("upsert_image_caption");
        p["data"]!["key"]!["remoteJid"] = chat;
        p["data"]!["key"]!["id"] = id;
        p["data"]!["messageTimestamp"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (caption is null) p["data"]!["message"]!["imageMessage"]!.AsObject().Remove("caption");
        else p["data"]!["message"]!["imageMessage"]!["caption"] = caption;
        return p;
    }

    private async Task<JsonElement> MessageItemAsync(string chat, string providerMessageId)
    {
        var session = await _app.GetSessionAsync(_instance, chat);
        var page = await _app.Admin.GetJsonAsync($"/api/events?session_id={session.GetProperty("id").GetInt64()}&page_size=200");
        return page.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("kind").GetString() == "message" && i.GetProperty("provider_message_id").GetString() == providerMessageId);
    }

    private Task WaitForTimelineAsync(string chat, string action) =>
        HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(_instance, chat)).Contains(action), action + " on the timeline");

    [Test]
    public async Task VoiceNote_IsFetchedTranscribedAndAnswered()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg; codecs=opus", VoiceNote);
        await PatchTenantAsync(_tenantId, new { transcription_model = "gpt-4o-mini-transcribe" });
        _app.Llm.TranscriptText = "Vocês abrem amanhã cedo?";

        Assert.That(await _app.DeliverAsync(_instance, Audio(chat, id)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply");
        // The send reaches Evolution before the worker has recorded it.
        await WaitForTimelineAsync(chat, "ai_replied");

        Assert.That(_app.Evolution.MediaRequests, Is.EqualTo(new[] { id }));
        var transcription = _app.Llm.Requests.Single(r => r.Path.EndsWith("/audio/transcriptions", StringComparison.Ordinal));
        Assert.That(transcription.Files.Single().Data, Is.EqualTo(VoiceNote));
        Assert.That(transcription.Form["model"], Is.EqualTo("gpt-4o-mini-transcribe"));

        var chatCall = _app.Llm.Requests.Single(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));
        Assert.That(chatCall.Body, Does.Contain("[voice note] Vocês abrem amanhã cedo?"));
        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Abrimos amanhã às 7h!"));

        var item = await MessageItemAsync(chat, id);
        Assert.That(item.GetProperty("media_text").GetString(), Is.EqualTo("[voice note] Vocês abrem amanhã cedo?"));
        Assert.That(item.GetProperty("message_type").GetString(), Is.EqualTo("audioMessage"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Is.EqualTo(new[] { "ai_queued", "media_transcribed", "ai_replied" }));
    }

    [Test]
    public async Task PhotoWithCaption_GoesToTheModelAsAnImagePart()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "image/jpeg", Photo);
        await PatchTenantAsync(_tenantId, new { vision_model = "gpt-vision-test" });

        Assert.That(await _app.DeliverAsync(_instance, Image(chat, id, "Quanto custa este bolo?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply");

        Assert.That(_app.Evolution.MediaRequests, Is.EqualTo(new[] { id }));
        var call = _app.Llm.Requests.Single();
        Assert.That(call.Json.GetProperty("model").GetString(), Is.EqualTo("gpt-vision-test"));
        var image = call.Images.Single();
        Assert.That(image.Data, Is.EqualTo(Photo));
        Assert.That(image.MimeType, Is.EqualTo("image/jpeg"));
        Assert.That(image.TextsBeside, Has.Some.Contains("Quanto custa este bolo?"));
        Assert.That((await MessageItemAsync(chat, id)).GetProperty("media_text").GetString(), Is.EqualTo("[photo] Quanto custa este bolo?"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("media_attached"));
    }

    [Test]
    public async Task OlderPhotos_GoToTheModelAsTextOnly()
    {
        var chat = Payloads.NewChatId();
        var photoId = Payloads.NewMessageId();
        _app.Evolution.SetMedia(photoId, "image/jpeg", Photo);
        await _app.DeliverAsync(_instance, Image(chat, photoId, "Este bolo"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the first reply");
        await WaitForTimelineAsync(chat, "ai_replied");
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Custa 30 reais.";

        await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "E quanto custa?"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 2, "the second reply");

        var call = _app.Llm.Requests.Single();
        Assert.That(call.Images, Is.Empty);
        Assert.That(call.Body, Does.Contain("[photo] Este bolo"));
        Assert.That(_app.Evolution.MediaRequests, Is.EqualTo(new[] { photoId }), "the old photo is not fetched again");
    }

    [Test]
    public async Task TooLongVoiceNote_IsNotDownloaded_AndSaysSo()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg", VoiceNote);

        await _app.DeliverAsync(_instance, Audio(chat, id, seconds: 3_600));
        await WaitForTimelineAsync(chat, "ignored_unsupported");

        Assert.That(_app.Evolution.MediaRequests, Is.Empty);
        Assert.That(_app.Llm.Requests, Is.Empty);
        Assert.That(_app.Evolution.SendsTo(chat), Is.Empty);
        Assert.That(await _app.TimelineAsync(_instance, chat), Is.EqualTo(new[] { "ai_queued", "media_too_large", "ignored_unsupported" }));
        var metrics = await (await _app.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.That(metrics.Split('\n').Where(l => l.StartsWith("hybridflow_media_total{", StringComparison.Ordinal)),
            Has.Some.Contains("kind=\"audio\"").And.Contains("outcome=\"too_large\""));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo("cancelled"));
    }

    [Test]
    public async Task TooLargeVoiceNote_GetsTheUnsupportedMediaReply()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg", VoiceNote);
        await PatchTenantAsync(_tenantId, new { unsupported_media_reply = "Não consigo ouvir áudios, pode escrever?" });

        await _app.DeliverAsync(_instance, Audio(chat, id, fileLength: 90L * 1024 * 1024));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the unsupported media reply");

        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Não consigo ouvir áudios, pode escrever?"));
        Assert.That(_app.Evolution.MediaRequests, Is.Empty);
        Assert.That(_app.Llm.Requests, Is.Empty);
        await WaitForTimelineAsync(chat, "unsupported_media_replied");
        Assert.That(await _app.TimelineAsync(_instance, chat), Does.Contain("media_too_large"));
    }

    [Test]
    public async Task MediaGoneFromEvolution_IsAClearEntry_NotAFailure()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.FailMedia(id, 404);

        await _app.DeliverAsync(_instance, Audio(chat, id));
        await WaitForTimelineAsync(chat, "ignored_unsupported");

        Assert.That(_app.Evolution.MediaRequests, Is.EqualTo(new[] { id }), "a 404 is not retried");
        Assert.That(await _app.TimelineAsync(_instance, chat), Is.EqualTo(new[] { "ai_queued", "media_unavailable", "ignored_unsupported" }));
    }

    [Test]
    public async Task MediaDownloadFailure_IsRetried()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg", VoiceNote);
        _app.Evolution.FailNext((500, """{"status":500,"error":"Internal Server Error","response":{"message":["boom"]}}"""));

        await _app.DeliverAsync(_instance, Audio(chat, id));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply after the retry");

        Assert.That(_app.Evolution.MediaRequests, Is.EqualTo(new[] { id, id }));
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline, Does.Contain("ai_retry"));
        Assert.That(timeline, Does.Contain("media_transcribed"));
    }

    [Test]
    public async Task StaticProvider_WithUnsupportedMediaReply_SendsIt()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_provider = "static", unsupported_media_reply = "Só entendo texto por aqui 🙂" });
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg", VoiceNote);

        Assert.That(await _app.DeliverAsync(instance, Audio(chat, id)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the unsupported media reply");

        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Só entendo texto por aqui 🙂"));
        Assert.That(_app.Evolution.MediaRequests, Is.Empty, "nothing to download for a model that cannot use it");
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("unsupported_media_replied"), "recorded");
    }

    [Test]
    public async Task StaticProvider_PhotoWithCaption_AnswersTheCaption()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_provider = "static" });
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();

        await _app.DeliverAsync(instance, Image(chat, id, "Quanto custa?"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the static reply");
        Assert.That(_app.Evolution.MediaRequests, Is.Empty);
    }

    [Test]
    public async Task VoiceNote_IsTranscribedWithTheTenantsOwnKey()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_api_key = "sk-tenant-media-0123456789" });
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg; codecs=opus", VoiceNote);

        await _app.DeliverAsync(instance, Audio(chat, id));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply");

        var transcription = _app.Llm.Requests.Single(r => r.Path.EndsWith("/audio/transcriptions", StringComparison.Ordinal));
        Assert.That(transcription.ApiKey, Is.EqualTo("sk-tenant-media-0123456789"));
        Assert.That(transcription.Form["model"], Is.EqualTo("whisper-1"), "the global TRANSCRIPTION_MODEL default");
    }

    [Test]
    public async Task VoiceNote_OfAnAnthropicTenantWithItsOwnKey_IsTranscribedWithTheGlobalOpenAiAccount()
    {
        const string anthropicKey = "sk-ant-tenant-media-0123456789";
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new
        {
            llm_provider = "anthropic", llm_model = "claude-test", llm_api_key = anthropicKey, llm_base_url = _app.Llm.BaseAddress.ToString(),
        });
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "audio/ogg; codecs=opus", VoiceNote);

        await _app.DeliverAsync(instance, Audio(chat, id));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply");

        var transcription = _app.Llm.Requests.Single(r => r.Path.EndsWith("/audio/transcriptions", StringComparison.Ordinal));
        Assert.That(transcription.ApiKey, Is.EqualTo("sk-test-not-a-real-key"), "the Anthropic key never goes to OpenAI");
        var reply = _app.Llm.Requests.Single(r => r.Path.EndsWith("/messages", StringComparison.Ordinal));
        Assert.That(reply.ApiKey, Is.EqualTo(anthropicKey));
    }

    [Test]
    public async Task PhotoRefusedByTheModel_GetsTheUnsupportedMediaReply()
    {
        var chat = Payloads.NewChatId();
        var id = Payloads.NewMessageId();
        _app.Evolution.SetMedia(id, "image/jpeg", Photo);
        await PatchTenantAsync(_tenantId, new { unsupported_media_reply = "Não consigo ver fotos, pode descrever?" });
        _app.Llm.StatusCode = 400;

        await _app.DeliverAsync(_instance, Image(chat, id, null));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the unsupported media reply");

        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Não consigo ver fotos, pode descrever?"));
        Assert.That(_app.Llm.Requests, Has.Count.EqualTo(1), "a 4xx is not retried");
        await WaitForTimelineAsync(chat, "unsupported_media_replied");
    }

    [Test]
    public async Task PhotoWithoutCaption_ForAStaticTenantWithoutReply_StaysSilent()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_provider = "static" });
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Image(chat, Payloads.NewMessageId(), null)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ignored_unsupported"), "silence recorded");
        Assert.That(_app.Evolution.SendsTo(chat), Is.Empty);
        Assert.That(_app.Evolution.MediaRequests, Is.Empty);
    }
}
