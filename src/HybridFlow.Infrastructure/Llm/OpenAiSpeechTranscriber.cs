using HybridFlow.Application.Common.Interfaces;
using OpenAI.Audio;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Speech to text through the OpenAI SDK's transcription API (or a compatible server), with the tenant's own account
/// when it has one; same clients, timeout and error mapping as the chat replies.
/// </summary>
internal sealed class OpenAiSpeechTranscriber : ISpeechTranscriber
{
    private const string ProviderName = "OpenAI transcription";

    private readonly LlmOptions _options;
    private readonly LlmClients _clients;

    public OpenAiSpeechTranscriber(LlmOptions options, LlmClients clients)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clients);
        _options = options;
        _clients = clients;
    }

    public async Task<Transcript> TranscribeAsync(TranscriptionRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Audio.Data.Length == 0)
        {
            throw new ReplyGenerationException("The audio to transcribe is empty.", isPermanent: true);
        }

        var account = _clients.OpenAi(request.Credentials)
            ?? throw new ReplyGenerationException(
                "Transcription is not configured: set OPENAI_API_KEY (or OPENAI_BASE_URL), or the tenant's llm_api_key.",
                isPermanent: true);
        var model = string.IsNullOrWhiteSpace(request.Model) ? _options.TranscriptionModel : request.Model.Trim();

        using var correlation = Observability.OutboundCorrelation.Begin(request.CorrelationId);
        AudioTranscription transcription;
        try
        {
            using var audio = new MemoryStream(request.Audio.Data, writable: false);
            transcription = (await account.Client.GetAudioClient(model)
                .TranscribeAudioAsync(audio, FileName(request.Audio), new AudioTranscriptionOptions(), ct)).Value;
        }
        catch (Exception ex) when (OpenAiReplyGenerator.Translate(ex, ProviderName, model, _options.Timeout, account, ct) is { } translated)
        {
            throw translated;
        }

        return new Transcript(transcription.Text?.Trim() ?? "");
    }

    /// <summary>The API tells the format by the file name's extension, so one is always given.</summary>
    public static string FileName(MediaContent audio)
    {
        if (!string.IsNullOrWhiteSpace(audio.FileName) && Path.HasExtension(audio.FileName))
        {
            return Path.GetFileName(audio.FileName);
        }

        var extension = audio.MimeType.Split(';')[0].Trim().ToLowerInvariant() switch
        {
            "audio/mpeg" or "audio/mp3" => "mp3",
            "audio/mp4" or "audio/m4a" or "audio/x-m4a" or "audio/aac" => "m4a",
            "audio/wav" or "audio/x-wav" or "audio/wave" => "wav",
            "audio/webm" => "webm",
            "audio/flac" => "flac",
            // WhatsApp voice notes are audio/ogg; codecs=opus.
            _ => "ogg",
        };
        return "audio." + extension;
    }
}
