using Dapper;
using HybridFlow.Application.ApiKeys;
using HybridFlow.Application.Common.Security;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>An API key as a caller: the key (ApiKeys/) with the person it acts for (Identity's users).</summary>
internal static class ApiKeyQueries
{
    /// <summary>
    /// The maker check is joined into the key lookup: no second query. An admin's lock lasts until DateTimeOffset.MaxValue
    /// (OperatorAccounts), stored as infinity; failed logins lock for minutes and do not stop keys, or a guesser could
    /// switch a tenant's keys off. Roles rank platform_admin, tenant_admin, agent.
    /// </summary>
    public static async Task<ApiKeyIdentity?> FindActiveAsync(NpgsqlDataSource dataSource, string keyHash, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
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
}
