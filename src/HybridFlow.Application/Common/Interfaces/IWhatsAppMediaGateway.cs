namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Fetches a received voice note or photo from the channel (Evolution's getBase64FromMediaMessage, Meta's media API).</summary>
public interface IWhatsAppMediaGateway
{
    /// <summary>Throws <see cref="MediaDownloadException"/>; a file longer than <paramref name="maxBytes"/> is refused before it is decoded.</summary>
    Task<MediaContent> DownloadMediaAsync(InstanceContext instance, MediaReference media, long maxBytes, string? correlationId, CancellationToken ct);
}
