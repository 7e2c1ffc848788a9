using HybridFlow.Application.ApiKeys;
using HybridFlow.Application.Common.Security;
using Microsoft.EntityFrameworkCore;

namespace HybridFlow.Infrastructure.Persistence;

public sealed class ApiKeyStore : IApiKeyStore
{
    private readonly HybridFlowDbContext _db;

    public ApiKeyStore(HybridFlowDbContext db) => _db = db;

    public async Task<ApiKeyDto> CreateAsync(long tenantId, string name, CallerRole role, string keyHash, DateTimeOffset now, CancellationToken ct)
    {
        var row = new ApiKeyRow { TenantId = tenantId, Name = name, Role = role.ToName(), KeyHash = keyHash, CreatedAt = now };
        _db.ApiKeys.Add(row);
        await _db.SaveChangesAsync(ct);
        return ToDto(row);
    }

    public async Task<IReadOnlyList<ApiKeyDto>> ListAsync(long tenantId, CancellationToken ct) =>
        (await _db.ApiKeys.AsNoTracking().Where(k => k.TenantId == tenantId).OrderBy(k => k.Id).ToListAsync(ct)).Select(ToDto).ToList();

    public async Task<bool> RevokeAsync(long tenantId, long keyId, DateTimeOffset now, CancellationToken ct)
    {
        var row = await _db.ApiKeys.FirstOrDefaultAsync(k => k.Id == keyId && k.TenantId == tenantId, ct);
        if (row is null) return false;
        row.RevokedAt ??= now;
        await _db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken ct)
    {
        var row = await _db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == keyHash && k.RevokedAt == null, ct);
        return row is null ? null : new ApiKeyIdentity(row.Id, row.TenantId, CallerRoleNames.Parse(row.Role));
    }

    private static ApiKeyDto ToDto(ApiKeyRow k) => new(k.Id, k.TenantId ?? 0, k.Name, k.Role, k.CreatedAt, k.RevokedAt);
}
