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
    DateTimeOffset UpdatedAt);

public sealed record NewInstance(long TenantId, string InstanceName, string EvoServerUrl, string EvoApiKey, string? WebhookSecret);

public interface IInstanceStore
{
    /// <summary>Creates the instance; null when the name is taken.</summary>
    Task<InstanceDto?> CreateAsync(NewInstance instance, DateTimeOffset now, CancellationToken ct);
    Task<IReadOnlyList<InstanceDto>> ListAsync(long? tenantId, CancellationToken ct);
}

public static class InstanceLimits
{
    public const int NameMax = 100;
    public const int UrlMax = 2_000;
    public const int SecretMax = 500;
}

public static class SecretMask
{
    /// <summary><c>****</c> plus the last four characters, so operators can tell keys apart.</summary>
    public static string? Mask(string? secret) =>
        string.IsNullOrEmpty(secret) ? null : secret.Length <= 8 ? "****" : "****" + secret[^4..];
}
