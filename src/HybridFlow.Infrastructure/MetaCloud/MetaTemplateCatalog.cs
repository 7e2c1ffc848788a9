using System.Collections.Concurrent;
using System.Text.Json;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Templates;
using HybridFlow.Infrastructure.Security;
using Refit;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// The approved templates of a Cloud API instance's business account, from the Graph API (<c>GET /{waba_id}/message_templates</c>
/// with the instance's token, every page), kept in memory for <see cref="MessageTemplates.CacheFor"/> per instance (and per
/// account and token, so a changed instance asks again). Each replica keeps its own copy: a template approved meanwhile
/// shows within the cache's life, or at once with a refresh.
/// </summary>
internal sealed class MetaTemplateCatalog : IMessageTemplateCatalog
{
    public const string HttpClientName = "meta.templates";
    /// <summary>Meta's templates list answers at most a few hundred KiB per page of 100.</summary>
    public const long AnswerLimit = 4 * 1024 * 1024;
    private const string Fields = "name,language,status,category,components";
    private const string Approved = "APPROVED";
    private const int PageSize = 100;
    /// <summary>An account has at most 250 templates (6,000 when verified): 60 pages cover it, and a loop ends.</summary>
    private const int PagesMax = 60;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(15);

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(new JsonSerializerOptions(JsonSerializerDefaults.Web)))
    {
        TransportExceptionFactory = (_, exception, _) => exception,
        // The exception holds its request; the bearer token must not travel with it into anything that prints exceptions.
        ExceptionRedactor = e => e.RequestMessage?.Headers.Remove("Authorization"),
    };

    private readonly IHttpClientFactory _httpClients;
    private readonly MetaCloudSettings _settings;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<long, Cached> _cache = new();

    public MetaTemplateCatalog(IHttpClientFactory httpClients, MetaCloudSettings settings, TimeProvider time)
    {
        _httpClients = httpClients;
        _settings = settings;
        _time = time;
    }

    public async Task<IReadOnlyList<MessageTemplateDto>> ListApprovedAsync(InstanceContext instance, bool refresh, CancellationToken ct)
    {
        var account = instance.MetaCloud ?? throw new MessageTemplateCatalogException("The instance is not a Cloud API number.", null);
        if (string.IsNullOrWhiteSpace(account.WabaId))
            throw new MessageTemplateCatalogException("The instance has no meta_waba_id: set it to list its templates.", null);
        if (string.IsNullOrWhiteSpace(account.AccessToken))
            throw new MessageTemplateCatalogException("The instance has no meta_access_token.", null);

        var key = new CacheKey(account.WabaId, StringComparer.Ordinal.GetHashCode(account.AccessToken));
        var now = _time.GetUtcNow();
        if (!refresh && _cache.TryGetValue(instance.InstanceId, out var cached) && cached.Key == key && now - cached.FetchedAt < MessageTemplates.CacheFor)
            return cached.Templates;

        var templates = await FetchAsync(account.WabaId, account.AccessToken, ct);
        _cache[instance.InstanceId] = new Cached(key, now, templates);
        return templates;
    }

    private async Task<IReadOnlyList<MessageTemplateDto>> FetchAsync(string wabaId, string accessToken, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CallTimeout);
        var client = _httpClients.CreateClient(OutboundHttp.ClientName(HttpClientName, trusted: true));
        // META_GRAPH_URL is the platform's (never a tenant's): the trusted client, without the address guard.
        client.BaseAddress = new Uri(_settings.GraphUrl.ToString().TrimEnd('/'));
        var api = RestService.For<IMetaGraphTemplatesApi>(client, Settings);

        var templates = new List<MessageTemplateDto>();
        string? after = null;
        for (var page = 0; page < PagesMax; page++)
        {
            MetaTemplatePage body;
            try
            {
                using var response = await api.ListTemplatesAsync(wabaId, Fields, Approved, PageSize, after, accessToken, timeout.Token);
                if (!response.IsSuccessStatusCode || response.Content is null)
                    throw new MessageTemplateCatalogException(ErrorOf(response), (int?)response.StatusCode);
                body = response.Content;
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new MessageTemplateCatalogException($"no answer within {CallTimeout.TotalSeconds:0} s", null);
            }
            catch (HttpRequestException e)
            {
                throw new MessageTemplateCatalogException($"could not be reached ({e.HttpRequestError})", null, e);
            }

            foreach (var t in body.Data ?? [])
                if (ToDto(t) is { } dto) templates.Add(dto);
            after = body.Paging?.Cursors?.After;
            if (body.Paging?.Next is null || after is null) break;
        }
        return templates.OrderBy(t => t.Name, StringComparer.Ordinal).ThenBy(t => t.Language, StringComparer.Ordinal).ToList();
    }

    /// <summary>An approved template with a name and a language; its body (the BODY component's text) may hold {{n}}.</summary>
    private static MessageTemplateDto? ToDto(MetaTemplate t)
    {
        // The status filter is asked for, and checked again: a template paused or rejected is never offered.
        if (t.Status != Approved || string.IsNullOrEmpty(t.Name) || string.IsNullOrEmpty(t.Language)) return null;
        var body = t.Components?.FirstOrDefault(c => string.Equals(c.Type, "BODY", StringComparison.OrdinalIgnoreCase))?.Text ?? "";
        return new MessageTemplateDto(t.Name, t.Language, t.Category ?? "", body, MessageTemplates.VariableCount(body));
    }

    /// <summary>Meta's error in words (its code and message, which name no secret), or the HTTP status.</summary>
    private static string ErrorOf(IApiResponse response)
    {
        if (response.Error is ApiException error && error.TryGetContentAs<MetaErrorBody>(out var body) && body?.Error is { } e)
            return $"HTTP {(int?)response.StatusCode}, code {e.Code}: {e.Message}";
        return $"HTTP {(int?)response.StatusCode}";
    }

    /// <summary>The account and (a hash of) the token the list was read with: a changed instance is asked again.</summary>
    private sealed record CacheKey(string WabaId, int AccessTokenHash);

    private sealed record Cached(CacheKey Key, DateTimeOffset FetchedAt, IReadOnlyList<MessageTemplateDto> Templates);
}
