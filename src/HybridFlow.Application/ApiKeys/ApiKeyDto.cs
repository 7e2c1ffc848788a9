using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.ApiKeys;

/// <summary>
/// A tenant key as listed: never the key itself. Who made it: a person (<see cref="CreatedByUserId"/>), another key
/// (<see cref="CreatedByKeyId"/>) or neither (ADMIN_API_KEY). <see cref="ActsForUserId"/> is the person whose access the key
/// stands on (its maker, or the person the making key acts for): it stops working when that person is deleted, locked by
/// an admin or demoted below the key's role.
/// </summary>
public sealed record ApiKeyDto(long Id, long TenantId, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    long? CreatedByUserId, long? CreatedByKeyId, long? ActsForUserId);

/// <summary>Who is making a key: a person logged in, a tenant key, or neither (ADMIN_API_KEY).</summary>
public sealed record ApiKeyMaker(long? UserId, long? KeyId);

/// <summary>Answer to a key's creation: the only time <see cref="Key"/> is shown.</summary>
public sealed record CreatedApiKeyDto(long Id, string Name, string Role, string Key, DateTimeOffset CreatedAt);

/// <summary>An active key found by its hash, whose maker still stands behind it.</summary>
public sealed record ApiKeyIdentity(long Id, long? TenantId, CallerRole Role);

public interface IApiKeyStore
{
    /// <summary>Stores a key made by <paramref name="maker"/>; it acts for the maker person, or for the person the making key acts for.</summary>
    Task<ApiKeyDto> CreateAsync(long tenantId, string name, CallerRole role, string keyHash, ApiKeyMaker maker, DateTimeOffset now, CancellationToken ct);
    Task<IReadOnlyList<ApiKeyDto>> ListAsync(long tenantId, CancellationToken ct);
    /// <summary>Revokes a tenant's key; false when there is no such key in that tenant.</summary>
    Task<bool> RevokeAsync(long tenantId, long keyId, DateTimeOffset now, CancellationToken ct);
    /// <summary>
    /// The key with this hash when it is not revoked and, if it acts for a person, that person exists, is not locked by an
    /// admin and has at least the key's role; one query.
    /// </summary>
    Task<ApiKeyIdentity?> FindActiveAsync(string keyHash, CancellationToken ct);
}
