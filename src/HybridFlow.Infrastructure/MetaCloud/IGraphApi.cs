using Refit;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// Meta's Graph API for the WhatsApp Cloud API, as Refit sees it (docs: messages/send-messages, mark-message-as-read,
/// typing-indicators, business-phone-numbers/media). The base address is META_GRAPH_URL with its version; the bearer
/// token is the instance's access token. Every call answers an <see cref="IApiResponse"/> (dispose it): HTTP errors come
/// back with their status and Meta's error body; a failure before any answer is thrown as is.
/// </summary>
internal interface IGraphApi
{
    /// <summary>200 <c>{messaging_product, contacts, messages:[{id}]}</c>: accepted, not yet delivered. Also read receipts and typing (200 <c>{success}</c>).</summary>
    [Post("/{phoneNumberId}/messages")]
    Task<IApiResponse<GraphSendResponse>> SendMessageAsync(string phoneNumberId, [Body] GraphMessageRequest body, CancellationToken ct);

    /// <summary>200 <c>{url, mime_type, sha256, file_size, id}</c>; the URL is valid for 5 minutes and needs the bearer token too.</summary>
    [Get("/{mediaId}")]
    Task<IApiResponse<GraphMediaInfo>> GetMediaAsync(string mediaId, CancellationToken ct);
}
