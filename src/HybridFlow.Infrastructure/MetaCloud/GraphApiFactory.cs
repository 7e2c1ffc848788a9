using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common;
using HybridFlow.Infrastructure.Observability;
using Refit;

namespace HybridFlow.Infrastructure.MetaCloud;

/// <summary>
/// Makes <see cref="IGraphApi"/> clients for one Cloud API number: META_GRAPH_URL as the base address and the instance's
/// access token as Bearer, on the pooled "meta-graph" HttpClient. The base URL is the platform's own setting, never a
/// tenant's, so the outbound address guard does not apply to it (ADR-015). The token never reaches a log: Refit's
/// exceptions lose the Authorization header.
/// </summary>
internal sealed class GraphApiFactory
{
    public const string HttpClientName = "meta-graph";
    /// <summary>Graph answers are small JSON; a media download sets its own cap.</summary>
    public const long AnswerLimit = 1024 * 1024;
    /// <summary>Pooled connections are dropped before a server's keep-alive would close them under a request.</summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4);
    private const int MaxErrorBodyChars = 64 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(Json))
    {
        Buffered = true,
        MaxExceptionContentLength = MaxErrorBodyChars,
        // Keep HttpRequestException and OperationCanceledException as they are: whether the request went out depends on them.
        TransportExceptionFactory = (_, exception, _) => exception,
        ExceptionRedactor = e => e.RequestMessage?.Headers.Remove("Authorization"),
    };

    private readonly IHttpClientFactory _httpClients;
    private readonly MetaCloudSettings _settings;

    public GraphApiFactory(IHttpClientFactory httpClients, MetaCloudSettings settings)
    {
        _httpClients = httpClients;
        _settings = settings;
    }

    public IGraphApi For(string accessToken, string? correlationId) => RestService.ForGenerated<IGraphApi>(Client(accessToken, correlationId), Settings);

    /// <summary>A client with the base address and the bearer token, for the media URL the Graph API hands out.</summary>
    public HttpClient Client(string accessToken, string? correlationId)
    {
        var client = _httpClients.CreateClient(HttpClientName);
        // Refit appends each route to the base address's path: the version stays in it.
        client.BaseAddress = new Uri(_settings.GraphUrl.AbsoluteUri.TrimEnd('/') + "/");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        if (correlationId is not null) client.DefaultRequestHeaders.TryAddWithoutValidation(OutboundCorrelation.HeaderName, correlationId);
        return client;
    }

    /// <summary>Meta's error body, when the answer was an HTTP error shaped as Meta shapes them.</summary>
    public static GraphError? ErrorOf(IApiResponse response) =>
        response.Error is ApiException error && error.TryGetContentAs<GraphErrorEnvelope>(out var body) ? body?.Error : null;
}
