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

/// <summary>
/// Which received file to fetch: the message's WhatsApp id (Evolution finds the media by it) and, for the Cloud API, the
/// media id of its image or audio (<c>GET /{media-id}</c>).
/// </summary>
public sealed record MediaReference(string ProviderMessageId, string? ProviderMediaId = null);

/// <summary>
/// A message that triggered a reply job. <see cref="RawJson"/> (the webhook body) only for voice notes and photos.
/// <see cref="ProviderMediaId"/>: the Cloud API's media id (null for Evolution).
/// </summary>
public sealed record TriggerMessage(long MessageId, string ProviderMessageId, string MessageType, string? Text, string? MediaText, string? RawJson, bool Deleted,
    string? ProviderMediaId = null);

/// <summary>The downloaded file is over the limit (the upsert claimed less, or said nothing).</summary>
public sealed class MediaTooLargeException : Exception
{
    public MediaTooLargeException(long bytes) : base($"The media has {bytes} bytes.") => Bytes = bytes;

    public long Bytes { get; }
}
