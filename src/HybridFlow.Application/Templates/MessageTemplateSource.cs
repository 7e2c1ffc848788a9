using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Templates;

/// <summary>The rules around the catalog that the list and the send share.</summary>
public static class MessageTemplateSource
{
    public const string NotSupportedCode = "templates_not_supported";

    /// <summary>The instance's approved templates; an Evolution instance has none to offer (409).</summary>
    public static async Task<IReadOnlyList<MessageTemplateDto>> ApprovedAsync(
        IMessageTemplateCatalog catalog, InstanceContext instance, bool refresh, CancellationToken ct)
    {
        if (instance.Provider != ChannelProvider.MetaCloud || instance.MetaCloud is null)
            throw new ConflictException(
                "Message templates are a WhatsApp Cloud API feature: this instance is connected through Evolution, where any text may be sent.",
                NotSupportedCode);
        try
        {
            return await catalog.ListApprovedAsync(instance, refresh, ct);
        }
        catch (MessageTemplateCatalogException e)
        {
            throw new BadGatewayException($"The Graph API did not list the templates: {e.Message}", e.UpstreamStatus, Upstream.GraphApi);
        }
    }
}
