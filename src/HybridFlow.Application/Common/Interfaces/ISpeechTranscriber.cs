namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Port to speech-to-text (the OpenAI SDK's transcription API). Throws <see cref="ReplyGenerationException"/> on provider failure.</summary>
public interface ISpeechTranscriber
{
    Task<Transcript> TranscribeAsync(TranscriptionRequest request, CancellationToken ct);
}
