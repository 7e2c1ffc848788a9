namespace HybridFlow.Infrastructure.Persistence.Postgres;

/// <summary>The associated data each stored secret is encrypted with: it binds the ciphertext to its row and column.</summary>
internal static class SecretContexts
{
    /// <summary>The associated data of a tenant's secret column: bound to the tenant's row.</summary>
    public static string TenantSecret(string column, long tenantId) => Security.SecretProtector.Context("tenants", column, tenantId);

    /// <summary>The associated data of an instance's secret column: bound to the instance's row.</summary>
    public static string InstanceSecret(string column, long instanceId) => Security.SecretProtector.Context("instances", column, instanceId);

    /// <summary>The associated data of a queued notification's signing secret: bound to its delivery id (unique, known before the insert).</summary>
    public static string NotifySecret(string deliveryId) =>
        Security.SecretProtector.Context("notify_deliveries", "signing_secret", Guid.TryParse(deliveryId, out var id) ? id.ToString("D") : deliveryId);
}
