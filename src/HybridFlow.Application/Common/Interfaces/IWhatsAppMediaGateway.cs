namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Fetches a received voice note or photo from the gateway (Evolution's getBase64FromMediaMessage).</summary>
public interface IWhatsAppMediaGateway
{
    /// <summary>Throws <see cref="MediaDownloadException"/>; a file longer than <paramref name="maxBytes"/> is refused before it is decoded.</summary>
    Task<MediaContent> DownloadMediaAsync(InstanceContext instance, string providerMessageId, long maxBytes, string? correlationId, CancellationToken ct);
}
