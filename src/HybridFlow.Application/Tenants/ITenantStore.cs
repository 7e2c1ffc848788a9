namespace HybridFlow.Application.Tenants;

public interface ITenantStore
{
    Task<TenantDto> CreateAsync(NewTenant tenant, DateTimeOffset now, CancellationToken ct);
    Task<TenantDto?> FindAsync(long id, CancellationToken ct);
    /// <summary>A page of tenants, all of them or (<paramref name="onlyTenant"/>) just one.</summary>
    Task<(IReadOnlyList<TenantDto> Items, long Total)> ListAsync(long? onlyTenant, int page, int pageSize, CancellationToken ct);
    /// <summary>Applies the set fields; null when there is no such tenant.</summary>
    Task<TenantDto?> UpdateAsync(long id, TenantPatch patch, DateTimeOffset now, CancellationToken ct);
    /// <summary>Deletes the tenant and, through the schema's ON DELETE CASCADE, everything it owns; false when there was none.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken ct);
}
