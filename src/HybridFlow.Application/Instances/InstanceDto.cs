using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Instances;

/// <summary>An instance as the API shows it: secrets never in full.</summary>
public sealed record InstanceDto(
    long Id,
    long TenantId,
    string InstanceName,
    string Provider,
    string EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>An agent (user or key) reads no secret tails; tenant admins and the platform admin do.</summary>
    public InstanceDto AsSeenBy(ICurrentCaller caller) =>
        caller.Role <= CallerRole.TenantAdmin ? this : this with { EvoApiKey = null, WebhookSecret = null };
}

/// <summary><see cref="EvoServerUrlTrusted"/>: saved by the platform admin, so the outbound address rule does not apply to it.</summary>
public sealed record NewInstance(long TenantId, string InstanceName, string EvoServerUrl, string EvoApiKey, string? WebhookSecret, bool EvoServerUrlTrusted);

/// <summary>The fields a PATCH changes; unset fields keep their stored value. Secrets are in clear here only on their way in.</summary>
public sealed record InstancePatch(Optional<string> EvoServerUrl, Optional<string> EvoApiKey, Optional<string?> WebhookSecret, bool EvoServerUrlTrusted = false)
{
    public bool IsEmpty => !(EvoServerUrl.HasValue || EvoApiKey.HasValue || WebhookSecret.HasValue);
}

public static class InstanceLimits
{
    public const int NameMax = 100;
    public const int UrlMax = 2_000;
    public const int SecretMax = 500;
    public const int WebhookSecretMin = 16;

    public static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

/// <summary>Finds an instance the caller may see: unknown, and another tenant's, are both 404.</summary>
public static class InstanceAccess
{
    public static async Task<InstanceDto> FindVisibleAsync(this IInstanceStore instances, ICurrentCaller caller, string name, long? tenantId, CancellationToken ct)
    {
        var tenant = caller.TenantFilter(tenantId);
        var instance = await instances.FindAsync(name, ct);
        if (instance is null || (tenant is not null && instance.TenantId != tenant)) throw new NotFoundException("Instance", name);
        return instance;
    }
}

public static class SecretMask
{
    /// <summary>Shown instead of the mask for a stored secret that no longer decrypts for its row: it must be entered again.</summary>
    public const string Unreadable = "unreadable: enter it again";

    /// <summary><c>****</c> plus the last four characters, so operators can tell keys apart.</summary>
    public static string? Mask(string? secret) =>
        string.IsNullOrEmpty(secret) ? null : secret.Length <= 8 ? "****" : "****" + secret[^4..];
}
