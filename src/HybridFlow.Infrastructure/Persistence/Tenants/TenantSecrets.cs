namespace HybridFlow.Infrastructure.Persistence.Tenants;

/// <summary>The associated data of a tenant's secret column: bound to the tenant's row.</summary>
internal static class TenantSecrets
{
    public static string Context(string column, long tenantId) => Security.SecretProtector.Context("tenants", column, tenantId);
}
