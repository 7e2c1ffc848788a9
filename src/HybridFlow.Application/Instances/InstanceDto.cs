using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Instances;

/// <summary>
/// An instance as the API shows it: secrets never in full. <see cref="Provider"/> is evolution or meta_cloud; the evo_
/// fields belong to Evolution instances, the meta_ fields to Cloud API ones (null otherwise).
/// </summary>
public sealed record InstanceDto(
    long Id,
    long TenantId,
    string InstanceName,
    string Provider,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string? MetaPhoneNumberId = null,
    string? MetaWabaId = null,
    string? MetaAccessToken = null,
    string? MetaAppSecret = null,
    string? MetaVerifyToken = null,
    bool EvoGlobalApiKeySet = false)
{
    /// <summary>An agent (user or key) reads no secret tails; tenant admins and the platform admin do.</summary>
    public InstanceDto AsSeenBy(ICurrentCaller caller) =>
        caller.Role <= CallerRole.TenantAdmin ? this
            : this with { EvoApiKey = null, WebhookSecret = null, MetaAccessToken = null, MetaAppSecret = null, MetaVerifyToken = null };
}

/// <summary>
/// <see cref="EvoServerUrlTrusted"/>: saved by the platform admin, so the outbound address rule does not apply to it.
/// An Evolution instance has the evo fields; a <see cref="ChannelProvider.MetaCloud"/> one has <see cref="MetaCloud"/> instead.
/// </summary>
public sealed record NewInstance(long TenantId, string InstanceName, string? EvoServerUrl, string? EvoApiKey, string? WebhookSecret, bool EvoServerUrlTrusted,
    ChannelProvider Provider = ChannelProvider.Evolution, MetaCloudAccount? MetaCloud = null)
{
    /// <summary>Evolution's global key, write-only: lets HybridFlow create the instance on Evolution (ConnectInstance).</summary>
    public string? EvoGlobalApiKey { get; init; }
}

/// <summary>The fields a PATCH changes; unset fields keep their stored value. Secrets are in clear here only on their way in.</summary>
public sealed record InstancePatch(Optional<string> EvoServerUrl, Optional<string> EvoApiKey, Optional<string?> WebhookSecret, bool EvoServerUrlTrusted = false)
{
    public Optional<string> MetaPhoneNumberId { get; init; }
    public Optional<string?> MetaWabaId { get; init; }
    public Optional<string> MetaAccessToken { get; init; }
    /// <summary>Null: the platform app's META_APP_SECRET signs this number's webhooks.</summary>
    public Optional<string?> MetaAppSecret { get; init; }
    /// <summary>Null: the platform app's META_VERIFY_TOKEN.</summary>
    public Optional<string?> MetaVerifyToken { get; init; }
    /// <summary>Null: HybridFlow no longer creates the instance on Evolution.</summary>
    public Optional<string?> EvoGlobalApiKey { get; init; }

    public bool IsEmpty => !(EvoServerUrl.HasValue || EvoApiKey.HasValue || WebhookSecret.HasValue || MetaPhoneNumberId.HasValue || MetaWabaId.HasValue
                             || MetaAccessToken.HasValue || MetaAppSecret.HasValue || MetaVerifyToken.HasValue || EvoGlobalApiKey.HasValue);
}

public static class InstanceConflicts
{
    /// <summary>Phone number ids are global, like names (ADR-009): the answer names no holder.</summary>
    public const string MetaPhoneNumberTaken = "This meta_phone_number_id is already connected to an instance.";
}

public static class InstanceLimits
{
    public const int NameMax = 100;
    public const int UrlMax = 2_000;
    public const int SecretMax = 500;
    public const int WebhookSecretMin = 16;
    public const int MetaIdMax = 64;
    /// <summary>Meta's ids (phone number, WhatsApp Business Account) are digits.</summary>
    public const string MetaIdPattern = "^[0-9]+$";

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
