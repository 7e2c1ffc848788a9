using HybridFlow.Infrastructure.Persistence.Postgres;
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

    /// <summary>
    /// The maker check is joined into the key lookup: no second query. An admin's lock lasts until DateTimeOffset.MaxValue
    /// (OperatorAccounts), stored as infinity; failed logins lock for minutes and do not stop keys, or a guesser could
    /// switch a tenant's keys off. Roles rank platform_admin, tenant_admin, agent.
    /// </summary>
    public async Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        var key = await connection.QuerySingleOrDefaultAsync<ActiveKeyRow>(new CommandDefinition("""
            SELECT k.id, k.tenant_id, k.role FROM api_keys k LEFT JOIN users u ON u.id = k.acts_for_user_id
            WHERE k.key_hash = @keyHash AND k.revoked_at IS NULL
              AND (k.acts_for_user_id IS NULL
                   OR (u.id IS NOT NULL
                       AND (u.lockout_end IS NULL OR u.lockout_end < now() + interval '1 year')
                       AND array_position(ARRAY['platform_admin', 'tenant_admin', 'agent'], u.role)
                           <= array_position(ARRAY['platform_admin', 'tenant_admin', 'agent'], k.role)))
            """, new { keyHash }, cancellationToken: ct));
        return key is null ? null : new ApiKeyIdentity(key.Id, key.TenantId, CallerRoleNames.Parse(key.Role));
    }

    private sealed class ActiveKeyRow
    {
        public long Id { get; init; }
        public long? TenantId { get; init; }
        public string Role { get; init; } = "";
    }

    private static ApiKeyDto ToDto(ApiKeyRow k) =>
        new(k.Id, k.TenantId ?? 0, k.Name, k.Role, k.CreatedAt, k.RevokedAt, k.CreatedByUserId, k.CreatedByKeyId, k.ActsForUserId);
}
