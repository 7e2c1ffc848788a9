namespace HybridFlow.Domain.Tenants;

/// <summary>
/// The tenant's notify_url with the secret that signs its POSTs: the tenant's workflow_secret, or (null) the global
/// N8N_API_KEY. <see cref="UrlTrusted"/>: saved by the platform admin, so the outbound address guard is skipped.
/// </summary>
public sealed record NotifyTarget(string Url, string? Secret, bool UrlTrusted)
{
    public override string ToString() => $"NotifyTarget({Url})";
}
