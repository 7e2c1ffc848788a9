using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;
using HybridFlow.Infrastructure.Evolution;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// The channel port: each call goes to the adapter of its instance's provider, Evolution (unchanged) or Meta's Cloud API
/// (ADR-015). The Application never knows which one it spoke to.
/// </summary>
internal sealed class WhatsAppChannelRouter : IWhatsAppGateway, IWhatsAppMediaGateway
{
    private readonly EvolutionClient _evolution;
    private readonly EvolutionMediaClient _evolutionMedia;
    private readonly MetaCloudClient _meta;

    public WhatsAppChannelRouter(EvolutionClient evolution, EvolutionMediaClient evolutionMedia, MetaCloudClient meta)
    {
        _evolution = evolution;
        _evolutionMedia = evolutionMedia;
        _meta = meta;
    }

    public Task<SentText> SendTextAsync(OutgoingText message, CancellationToken ct) =>
        IsMeta(message.Instance) ? _meta.SendTextAsync(message, ct) : _evolution.SendTextAsync(message, ct);

    public Task SendPresenceAsync(OutgoingPresence presence, CancellationToken ct) =>
        IsMeta(presence.Instance) ? _meta.SendPresenceAsync(presence, ct) : _evolution.SendPresenceAsync(presence, ct);

    public Task<SendReadBack> FindSentAsync(SentTextQuery query, CancellationToken ct) =>
        IsMeta(query.Instance) ? _meta.FindSentAsync(query, ct) : _evolution.FindSentAsync(query, ct);

    public Task<MediaContent> DownloadMediaAsync(InstanceContext instance, MediaReference media, long maxBytes, string? correlationId, CancellationToken ct) =>
        IsMeta(instance)
            ? _meta.DownloadMediaAsync(instance, media, maxBytes, correlationId, ct)
            : _evolutionMedia.DownloadMediaAsync(instance, media, maxBytes, correlationId, ct);

    private static bool IsMeta(InstanceContext instance) => instance.Provider == ChannelProvider.MetaCloud;
}
