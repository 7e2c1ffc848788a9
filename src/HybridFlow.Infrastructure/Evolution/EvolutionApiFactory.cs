using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Security;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using Refit;

namespace HybridFlow.Infrastructure.Evolution;

/// <summary>
/// Makes <see cref="IEvolutionApi"/> clients for one instance: its own server URL and apikey, plus the correlation id, on a
/// fresh HttpClient from the factory's pooled "evolution.trusted" or "evolution.tenant" handler, by who saved the URL
/// (<see cref="OutboundHttp"/>). Runs calls through the retry/timeout pipeline and times each attempt.
/// </summary>
internal sealed class EvolutionApiFactory
{
    public const string HttpClientName = "evolution";
    private const string ApiKeyHeader = "apikey";
    private const int MaxErrorBodyChars = 64 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly RefitSettings Settings = new(new SystemTextJsonContentSerializer(Json))
    {
        // Buffered with a Content-Length: some proxies and servers refuse chunked request bodies.
        Buffered = true,
        MaxExceptionContentLength = MaxErrorBodyChars,
        // Keep HttpRequestException and OperationCanceledException as they are: whether the request went out depends on them.
        TransportExceptionFactory = (_, exception, _) => exception,
        // An ApiException holds its request; the apikey must not travel with it into anything that prints exceptions.
        ExceptionRedactor = e => e.RequestMessage?.Headers.Remove(ApiKeyHeader),
    };

    private readonly IHttpClientFactory _httpClients;
    private readonly HybridFlowMetrics _metrics;

    public EvolutionApiFactory(IHttpClientFactory httpClients, HybridFlowMetrics metrics)
    {
        _httpClients = httpClients;
        _metrics = metrics;
    }

    /// <summary>A client for the instance at <paramref name="endpoint"/>, or null when its server URL is not an absolute http(s) URL.</summary>
    public IEvolutionApi? For(EvolutionEndpoint endpoint, string? correlationId)
    {
        if (!Uri.TryCreate(endpoint.ServerUrl, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https")) return null;
        var client = _httpClients.CreateClient(OutboundHttp.ClientName(HttpClientName, endpoint.Trusted));
        client.BaseAddress = server;
        if (!string.IsNullOrEmpty(endpoint.ApiKey)) client.DefaultRequestHeaders.TryAddWithoutValidation(ApiKeyHeader, endpoint.ApiKey);
        if (correlationId is not null) client.DefaultRequestHeaders.TryAddWithoutValidation(OutboundCorrelation.HeaderName, correlationId);
        // Refit's source-generated client: no reflection; the HttpClient is per call (cheap, the handlers underneath are pooled).
        return RestService.ForGenerated<IEvolutionApi>(client, Settings);
    }

    /// <summary>
    /// Pooled connections to Evolution are dropped after this much idle time, less than Node's 5 s keep-alive: a request
    /// written on a connection Node is closing would lose its answer, and a send would become an unknown outcome.
    /// </summary>
    public static readonly TimeSpan PooledConnectionIdleTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Retries only what proves nothing reached Evolution (no connection, 429, and 503 unless <paramref name="retryUnavailable"/>
    /// is false), each attempt within <paramref name="timeout"/>. A timeout or a connection lost mid-request is never retried
    /// here: a sendText may have gone out. A sendText's 503 is not retried either: a proxy may answer it after the send.
    /// </summary>
    public static ResiliencePipeline Pipeline(EvolutionOptions options, TimeSpan timeout, bool retryUnavailable = true) =>
        new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(0, options.RetriesBeforeSending),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder()
                    .Handle<HttpRequestException>(e => e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError
                                                       && OutboundAddressGuard.BlockedBy(e) is null)
                    .HandleResult(r => r is IApiResponse { StatusCode: HttpStatusCode.TooManyRequests }
                                       || retryUnavailable && r is IApiResponse { StatusCode: HttpStatusCode.ServiceUnavailable }),
            })
            .AddTimeout(timeout)
            .Build();

    /// <summary>
    /// Runs <paramref name="call"/> through <paramref name="pipeline"/>, timing each attempt as <paramref name="operation"/>.
    /// Throws <see cref="TimeoutRejectedException"/> or <see cref="HttpRequestException"/> when no answer came back.
    /// </summary>
    public async Task<TResponse> ExecuteAsync<TResponse>(string operation, ResiliencePipeline pipeline,
        Func<CancellationToken, Task<TResponse>> call, CancellationToken ct) where TResponse : IApiResponse =>
        await pipeline.ExecuteAsync(async token =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                return await call(token);
            }
            finally
            {
                _metrics.EvolutionCallTimed(operation, Stopwatch.GetElapsedTime(started));
            }
        }, ct);

    /// <summary>Evolution's error body, when the answer was an HTTP error shaped as Evolution shapes them.</summary>
    public static EvolutionError? ErrorOf(IApiResponse response) =>
        response.Error is ApiException error && error.TryGetContentAs<EvolutionError>(out var body) ? body : null;

    /// <summary>A 2xx whose body could not be read to the end (as opposed to one that is not the expected JSON).</summary>
    public static bool WasCutOff(IApiResponse response) =>
        response.IsSuccessStatusCode && response.Error is { InnerException: { } inner } && inner is not JsonException;
}
