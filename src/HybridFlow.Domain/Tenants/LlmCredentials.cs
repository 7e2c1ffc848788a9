namespace HybridFlow.Domain.Tenants;

/// <summary>
/// A tenant's own model account: its key and/or OpenAI-compatible base URL. A null field falls back to the global
/// setting. <see cref="BaseUrlTrusted"/>: saved by the platform admin, so calls to it skip the outbound address guard.
/// </summary>
public sealed record LlmCredentials(string? ApiKey, string? BaseUrl, bool BaseUrlTrusted = false)
{
    public bool IsEmpty => ApiKey is null && BaseUrl is null;

    /// <summary>Never the key itself: records print as their fields.</summary>
    public override string ToString() => $"LlmCredentials(key: {(ApiKey is null ? "global" : "tenant")}, base_url: {BaseUrl ?? "global"})";
}
