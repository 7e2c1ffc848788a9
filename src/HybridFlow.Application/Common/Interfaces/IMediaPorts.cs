namespace HybridFlow.Application.Common.Interfaces;

public enum MediaDownloadFailure
{
    /// <summary>Evolution could not be reached or answered 5xx: the job's retry policy tries again.</summary>
    Transient,
    /// <summary>Evolution no longer has the media (404): retrying cannot help.</summary>
    NotFound,
    /// <summary>Anything else that retrying cannot help (bad credentials, a blocked address, an answer without media).</summary>
    Permanent,
}

public sealed class MediaDownloadException : Exception
{
    public MediaDownloadException(string message, MediaDownloadFailure failure, Exception? inner = null) : base(message, inner) => Failure = failure;

    public MediaDownloadFailure Failure { get; }
}

/// <summary>Fetches a received voice note or photo from the gateway (Evolution's getBase64FromMediaMessage).</summary>
public interface IWhatsAppMediaGateway
{
    /// <summary>Throws <see cref="MediaDownloadException"/>; a file longer than <paramref name="maxBytes"/> is refused before it is decoded.</summary>
    Task<MediaContent> DownloadMediaAsync(InstanceContext instance, string providerMessageId, long maxBytes, string? correlationId, CancellationToken ct);
}

/// <summary>What the tenant's model setup can understand (provider and configured accounts), without calling it.</summary>
public interface IMediaCapabilities
{
    /// <summary>Speech-to-text is set up for this tenant (a transcriber, an OpenAI-compatible account, a provider other than static).</summary>
    bool CanTranscribe(ReplyContext context);

    /// <summary>
    /// The credentials a transcription call may carry: the tenant's own only when its provider is OpenAI (the transcriber
    /// speaks OpenAI), else null for the global OpenAI account, so an Anthropic key never goes to OpenAI.
    /// </summary>
    LlmCredentials? TranscriptionCredentials(ReplyContext context);

    /// <summary>The tenant's provider takes images (OpenAI or Anthropic, not the static one).</summary>
    bool CanSee(ReplyContext context);
}

/// <summary>A message that triggered a reply job. <see cref="RawJson"/> (the webhook body) only for voice notes and photos.</summary>
public sealed record TriggerMessage(long MessageId, string ProviderMessageId, string MessageType, string? Text, string? MediaText, string? RawJson, bool Deleted);

public interface IMediaMessageStore
{
    /// <summary>The job's trigger messages, oldest first.</summary>
    Task<IReadOnlyList<TriggerMessage>> LoadTriggerMessagesAsync(long jobId, CancellationToken ct);

    /// <summary>Stores a voice note's transcript or what was sent for a photo.</summary>
    Task SaveMediaTextAsync(long messageId, string mediaText, CancellationToken ct);

    /// <summary>Puts an event about the message on its session's timeline.</summary>
    Task AddTimelineEventAsync(long messageId, string action, string? detail, DateTimeOffset now, CancellationToken ct);
}

/// <summary>The downloaded file is over the limit (the upsert claimed less, or said nothing).</summary>
public sealed class MediaTooLargeException : Exception
{
    public MediaTooLargeException(long bytes) : base($"The media has {bytes} bytes.") => Bytes = bytes;

    public long Bytes { get; }
}
