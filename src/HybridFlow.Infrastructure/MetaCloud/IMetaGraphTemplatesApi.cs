using System.Text.Json.Serialization;
using Refit;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// The Graph API's message templates of a WhatsApp Business account (WABA), as Refit sees them. The client's base address
/// is META_GRAPH_URL (with its version); every call answers an <see cref="IApiResponse"/> (dispose it), so Meta's errors
/// come back with their status and body.
/// </summary>
internal interface IMetaGraphTemplatesApi
{
    /// <summary>
    /// One page of templates: <c>{"data":[…],"paging":{"cursors":{"before","after"},"next"?}}</c>; the next page is asked
    /// with <paramref name="after"/> = the last page's <c>paging.cursors.after</c>, while it has <c>paging.next</c>.
    /// </summary>
    [Get("/{wabaId}/message_templates")]
    Task<IApiResponse<MetaTemplatePage>> ListTemplatesAsync(
        string wabaId, [AliasAs("fields")] string fields, [AliasAs("status")] string status, [AliasAs("limit")] int limit,
        [AliasAs("after")] string? after, [Authorize("Bearer")] string accessToken, CancellationToken ct);
}

internal sealed record MetaTemplatePage(
    [property: JsonPropertyName("data")] IReadOnlyList<MetaTemplate>? Data,
    [property: JsonPropertyName("paging")] MetaPaging? Paging);

internal sealed record MetaPaging(
    [property: JsonPropertyName("cursors")] MetaCursors? Cursors,
    [property: JsonPropertyName("next")] string? Next);

internal sealed record MetaCursors(
    [property: JsonPropertyName("before")] string? Before,
    [property: JsonPropertyName("after")] string? After);

/// <summary>A template as Meta lists it; <c>components</c> holds its HEADER, BODY, FOOTER and BUTTONS.</summary>
internal sealed record MetaTemplate(
    [property: JsonPropertyName("id")] string? Id,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("language")] string? Language,
    [property: JsonPropertyName("status")] string? Status,
    [property: JsonPropertyName("category")] string? Category,
    [property: JsonPropertyName("components")] IReadOnlyList<MetaTemplateComponent>? Components);

internal sealed record MetaTemplateComponent(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("format")] string? Format,
    [property: JsonPropertyName("text")] string? Text);

/// <summary>Meta's error body: <c>{"error":{"message","type","code",…}}</c>.</summary>
internal sealed record MetaErrorBody([property: JsonPropertyName("error")] MetaErrorDetail? Error);

internal sealed record MetaErrorDetail(
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("code")] int? Code);
