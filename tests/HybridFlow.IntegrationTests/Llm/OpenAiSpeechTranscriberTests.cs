using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Security;
using NUnit.Framework;
using HybridFlow.Domain.Tenants;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>The transcription adapter against the fake's <c>POST /v1/audio/transcriptions</c>, as the OpenAI SDK sends it (multipart).</summary>
public sealed class OpenAiSpeechTranscriberTests
{
    private const string GlobalKey = "sk-platform-transcribe-secret";
    private const string TenantKey = "sk-tenant-voice-0123456789abcdef";
    private static readonly byte[] VoiceNote = [0x4F, 0x67, 0x67, 0x53, 0, 2, 0, 0, 7, 7, 7];

    private FakeLlmServer _server = null!;
    private readonly List<LlmClients> _clients = [];

    [OneTimeSetUp]
    public async Task StartServer() => _server = await FakeLlmServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void ResetServer() => _server.Reset();

    [TearDown]
    public void DisposeClients()
    {
        foreach (var clients in _clients) clients.Dispose();
        _clients.Clear();
    }

    private OpenAiSpeechTranscriber Transcriber(params (string Key, string? Value)[] extra)
    {
        var options = Options([("OPENAI_API_KEY", GlobalKey), ("OPENAI_BASE_URL", _server.OpenAiBaseUrl.ToString()), ("LLM_TIMEOUT", "15"), .. extra]);
        var clients = new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions()));
        _clients.Add(clients);
        return new OpenAiSpeechTranscriber(options, clients);
    }

    private static TranscriptionRequest Request(string? model = null, LlmCredentials? credentials = null, string? fileName = null) =>
        new(new MediaContent("audio/ogg; codecs=opus", VoiceNote, fileName), model, credentials, "corr-voice-1");

    [Test]
    public async Task Transcribe_ReturnsTheTranscriptAndUploadsTheAudioWithTheDefaultModel()
    {
        _server.TranscriptText = "  Queria encomendar um bolo para sábado.  ";

        var transcript = await Transcriber().TranscribeAsync(Request(), CancellationToken.None);

        var request = _server.Requests.Single();
        var file = request.Files.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(transcript.Text, Is.EqualTo("Queria encomendar um bolo para sábado."));
            Assert.That(request.Path, Is.EqualTo("/v1/audio/transcriptions"));
            Assert.That(request.Form["model"], Is.EqualTo("whisper-1"));
            Assert.That(file.Data, Is.EqualTo(VoiceNote));
            Assert.That(file.FileName, Is.EqualTo("audio.ogg"), "the API tells the format by the extension");
            Assert.That(request.ApiKey, Is.EqualTo(GlobalKey));
            Assert.That(request.Header("x-correlation-id"), Is.EqualTo("corr-voice-1"));
        }
    }

    [Test]
    public async Task Transcribe_SendsTheTenantsModel_OverTheGlobalSetting()
    {
        await Transcriber(("TRANSCRIPTION_MODEL", "gpt-4o-mini-transcribe")).TranscribeAsync(Request(model: "gpt-4o-transcribe"), CancellationToken.None);
        await Transcriber(("TRANSCRIPTION_MODEL", "gpt-4o-mini-transcribe")).TranscribeAsync(Request(), CancellationToken.None);

        Assert.That(_server.Requests.Select(r => r.Form["model"]), Is.EqualTo(new[] { "gpt-4o-transcribe", "gpt-4o-mini-transcribe" }));
    }

    [Test]
    public async Task Transcribe_KeepsTheFileNameEvolutionGave()
    {
        await Transcriber().TranscribeAsync(Request(fileName: "nota.mp3"), CancellationToken.None);

        Assert.That(_server.Requests.Single().Files.Single().FileName, Is.EqualTo("nota.mp3"));
    }

    [Test]
    public async Task Transcribe_WithATenantKey_SendsItInsteadOfThePlatformKey()
    {
        await Transcriber().TranscribeAsync(Request(credentials: new LlmCredentials(TenantKey, null)), CancellationToken.None);

        var request = _server.Requests.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(request.ApiKey, Is.EqualTo(TenantKey));
            Assert.That(request.Headers.Values, Has.None.Contains(GlobalKey));
        }
    }

    [Test]
    public async Task Transcribe_WhenTheProviderRejectsTheTenantKey_ThrowsPermanentWithoutTheKey()
    {
        _server.StatusCode = 401;
        _server.ErrorMessage = $"Incorrect API key provided: {TenantKey}";

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => Transcriber().TranscribeAsync(Request(credentials: new LlmCredentials(TenantKey, null)), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("tenant's own API key"));
            Assert.That(ex.ToString(), Does.Not.Contain(TenantKey));
        }
    }

    [Test]
    public async Task Transcribe_WhenTheServerFails_ThrowsRetryable()
    {
        _server.StatusCode = 503;

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Transcriber().TranscribeAsync(Request(), CancellationToken.None));

        Assert.That(ex.IsPermanent, Is.False);
    }

    [Test]
    public async Task Transcribe_ToAnUntrustedTenantBaseUrlOnLoopback_IsRefusedWithoutACall()
    {
        var credentials = new LlmCredentials(TenantKey, _server.OpenAiBaseUrl.ToString(), BaseUrlTrusted: false);

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => Transcriber().TranscribeAsync(Request(credentials: credentials), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("llm_base_url"));
            Assert.That(_server.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Transcribe_ToATrustedTenantBaseUrl_IsCalled()
    {
        var credentials = new LlmCredentials(TenantKey, _server.OpenAiBaseUrl.ToString(), BaseUrlTrusted: true);

        var transcript = await Transcriber().TranscribeAsync(Request(credentials: credentials), CancellationToken.None);

        Assert.That(transcript.Text, Is.EqualTo("Olá, vocês abrem amanhã?"));
    }

    [Test]
    public async Task Transcribe_WithNoOpenAiAccountAnywhere_ThrowsPermanentWithoutACall()
    {
        var options = Options(("ANTHROPIC_API_KEY", "sk-ant-only"));
        using var clients = new LlmClients(options, new OutboundAddressGuard(new OutboundAddressOptions()));

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => new OpenAiSpeechTranscriber(options, clients).TranscribeAsync(Request(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("not configured"));
        }
    }

    [TestCase("audio/ogg; codecs=opus", null, "audio.ogg")]
    [TestCase("audio/mpeg", null, "audio.mp3")]
    [TestCase("audio/mp4", null, "audio.m4a")]
    [TestCase("audio/ogg", "PTT-20260101.opus", "PTT-20260101.opus")]
    [TestCase("audio/ogg", "no-extension", "audio.ogg")]
    public void FileName_AlwaysCarriesAnExtension(string mime, string? given, string expected) =>
        Assert.That(OpenAiSpeechTranscriber.FileName(new MediaContent(mime, [1], given)), Is.EqualTo(expected));
}
