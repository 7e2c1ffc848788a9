using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.ApiKeys;

/// <summary>A tenant key as listed: never the key itself.</summary>
public sealed record ApiKeyDto(long Id, long TenantId, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt);

/// <summary>Answer to a key's creation: the only time <see cref="Key"/> is shown.</summary>
public sealed record CreatedApiKeyDto(long Id, string Name, string Role, string Key, DateTimeOffset CreatedAt);

/// <summary>An active key found by its hash.</summary>
public sealed record ApiKeyIdentity(long Id, long? TenantId, CallerRole Role);

public interface IApiKeyStore
{
    Task<ApiKeyDto> CreateAsync(long tenantId, string name, CallerRole role, string keyHash, DateTimeOffset now, CancellationToken ct);
    Task<IReadOnlyList<ApiKeyDto>> ListAsync(long tenantId, CancellationToken ct);
    /// <summary>Revokes a tenant's key; false when there is no such key in that tenant.</summary>
    Task<bool> RevokeAsync(long tenantId, long keyId, DateTimeOffset now, CancellationToken ct);
    Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken ct);
}
