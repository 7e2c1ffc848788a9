using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.ApiKeys;

/// <summary>
/// A tenant key as listed: never the key itself. Who made it: a person (<see cref="CreatedByUserId"/>), another key
/// (<see cref="CreatedByKeyId"/>) or neither (ADMIN_API_KEY). <see cref="ActsForUserId"/> is the person whose access the key
/// stands on (its maker, or the person the making key acts for): it stops working when that person is deleted, locked by
/// an admin or demoted below the key's role. <see cref="CreatedByName"/> is the maker person's name (or email) in the
/// listing; null when a key or ADMIN_API_KEY made it, or the person is gone.
/// </summary>
public sealed record ApiKeyDto(long Id, long TenantId, string Name, string Role, DateTimeOffset CreatedAt, DateTimeOffset? RevokedAt,
    long? CreatedByUserId, long? CreatedByKeyId, long? ActsForUserId, string? CreatedByName = null);

/// <summary>Who is making a key: a person logged in, a tenant key, or neither (ADMIN_API_KEY).</summary>
public sealed record ApiKeyMaker(long? UserId, long? KeyId);

/// <summary>Answer to a key's creation: the only time <see cref="Key"/> is shown.</summary>
public sealed record CreatedApiKeyDto(long Id, string Name, string Role, string Key, DateTimeOffset CreatedAt);

/// <summary>An active key found by its hash, whose maker still stands behind it.</summary>
public sealed record ApiKeyIdentity(long Id, long? TenantId, CallerRole Role);
