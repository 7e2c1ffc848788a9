namespace HybridFlow.Application.Common;

/// <summary>
/// The platform's settings for Meta's WhatsApp Cloud API (docs/CONFIGURATION.md). <see cref="GraphUrl"/> is set by the
/// platform only, never by a tenant, so calls to it skip the outbound address guard. <see cref="AppSecret"/> and
/// <see cref="VerifyToken"/> are the platform app's, for instances that do not bring their own.
/// </summary>
public sealed record MetaCloudSettings
{
    public static readonly Uri DefaultGraphUrl = new("https://graph.facebook.com/v25.0");

    /// <summary>META_GRAPH_URL: the Graph API's base URL with its version, no trailing slash.</summary>
    public Uri GraphUrl { get; init; } = DefaultGraphUrl;
    /// <summary>META_APP_SECRET: signs the platform app's webhooks (X-Hub-Signature-256).</summary>
    public string? AppSecret { get; init; }
    /// <summary>META_VERIFY_TOKEN: the platform app's webhook handshake token.</summary>
    public string? VerifyToken { get; init; }
    /// <summary>META_STATUS_WAIT_SECONDS: how long a send whose answer was lost waits for its status before it needs a person.</summary>
    public TimeSpan StatusWait { get; init; } = TimeSpan.FromSeconds(60);
}
