using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Templates;

/// <summary>
/// The approved WhatsApp message templates of a Cloud API instance's business account (Meta's Graph API,
/// <c>GET /{waba_id}/message_templates</c>), kept for <see cref="MessageTemplates.CacheFor"/> per instance.
/// </summary>
public interface IMessageTemplateCatalog
{
    /// <summary>
    /// The APPROVED templates of <paramref name="instance"/>'s account; <paramref name="refresh"/> asks the Graph API
    /// again instead of answering from the cache. Throws <see cref="MessageTemplateCatalogException"/> when the Graph
    /// API cannot be asked or refuses.
    /// </summary>
    Task<IReadOnlyList<MessageTemplateDto>> ListApprovedAsync(InstanceContext instance, bool refresh, CancellationToken ct);
}
