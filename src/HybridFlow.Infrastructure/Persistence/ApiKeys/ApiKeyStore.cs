using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using Dapper;
using HybridFlow.Application.ApiKeys;
using HybridFlow.Application.Common.Security;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ApiKeys;

internal sealed class ApiKeyStore : IApiKeyStore
{
    private readonly HybridFlowDbContext _db;
    private readonly NpgsqlDataSource _dataSource;

    public ApiKeyStore(HybridFlowDbContext db, NpgsqlDataSource dataSource)
    {
        _db = db;
        _dataSource = dataSource;
    }

    public async Task<ApiKeyDto> CreateAsync(long tenantId, string name, CallerRole role, string keyHash, ApiKeyMaker maker, DateTimeOffset now, CancellationToken ct)
    {
        var actsFor = maker.UserId ?? (maker.KeyId is { } keyId
            ? await _db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.ActsForUserId).FirstOrDefaultAsync(ct)
            : null);
        var row = new ApiKeyRow
        {
            TenantId = tenantId, Name = name, Role = role.ToName(), KeyHash = keyHash, CreatedAt = now,
            CreatedByUserId = maker.UserId, CreatedByKeyId = maker.KeyId, ActsForUserId = actsFor,
        };
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

    /// <summary>The key and the person it acts for, in one query (<see cref="ApiKeyQueries"/>).</summary>
    public Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken ct) => ApiKeyQueries.FindActiveAsync(_dataSource, keyHash, ct);

    private static ApiKeyDto ToDto(ApiKeyRow k) =>
        new(k.Id, k.TenantId ?? 0, k.Name, k.Role, k.CreatedAt, k.RevokedAt, k.CreatedByUserId, k.CreatedByKeyId, k.ActsForUserId);
}
