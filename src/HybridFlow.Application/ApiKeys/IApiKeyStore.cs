using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.ApiKeys;

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
