namespace HybridFlow.Infrastructure;

/// <summary>Operational settings: CORS, rate limits, the /metrics key and the workflow target the health check probes.</summary>
public sealed record OperationsOptions
{
    public const int DefaultApiRequestsPerMinute = 600;
    public const int DefaultWebhookRequestsPerMinute = 3000;
    public const int DefaultWebhookUnauthenticatedPerMinute = 60;
    public const int DefaultPreviewRepliesPerMinute = 10;

    /// <summary>Origins allowed to call the API from a browser (CORS_ORIGINS); empty means no CORS headers at all.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Per API key (or per client IP without a valid key) on /api and /sessions; 0 turns the limit off.</summary>
    public int ApiRequestsPerMinute { get; init; } = DefaultApiRequestsPerMinute;

    /// <summary>Authenticated webhook deliveries per instance, on either route; 0 turns the limit off.</summary>
    public int WebhookRequestsPerMinute { get; init; } = DefaultWebhookRequestsPerMinute;

    /// <summary>Webhook deliveries refused before they authenticated, per client IP; past it the address gets 429. 0 turns the limit off.</summary>
    public int WebhookUnauthenticatedPerMinute { get; init; } = DefaultWebhookUnauthenticatedPerMinute;

    /// <summary>Preview replies (try the bot) per tenant, each a model call; past it 429. 0 turns the limit off.</summary>
    public int PreviewRepliesPerMinute { get; init; } = DefaultPreviewRepliesPerMinute;

    /// <summary>When set, GET /metrics requires <c>Authorization: Bearer</c> with this key.</summary>
    public string? MetricsApiKey { get; init; }

    /// <summary>METRICS_PUBLIC: in Production, /metrics without METRICS_API_KEY is closed unless this is true.</summary>
    public bool MetricsPublic { get; init; }

    /// <summary>How long a health check waits for a host to accept a connection.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(2);
}
