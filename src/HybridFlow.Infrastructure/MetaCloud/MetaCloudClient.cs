using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>The channel adapter over Meta's WhatsApp Cloud API (Graph API).</summary>
internal sealed class MetaCloudClient : IWhatsAppGateway, IWhatsAppMediaGateway
{
    public Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct) =>
        throw new WhatsAppSendException("The Cloud API adapter is not built yet.", SendFailureKind.Permanent);

    public Task SendPresenceAsync(OutgoingPresence presence, CancellationToken ct) => Task.CompletedTask;

    public Task<SendReadBack> FindSentAsync(SentTextQuery query, CancellationToken ct) => Task.FromResult(SendReadBack.CannotTell);

    public Task<MediaContent> DownloadMediaAsync(InstanceContext instance, MediaReference media, long maxBytes, string? correlationId, CancellationToken ct) =>
        throw new MediaDownloadException("The Cloud API adapter is not built yet.", MediaDownloadFailure.Permanent);
}
