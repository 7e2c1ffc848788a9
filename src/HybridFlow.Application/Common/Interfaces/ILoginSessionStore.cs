namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The logins of people, on the server (PostgreSQL, shared by every replica). A login lives while its row exists, is not
/// expired, and its user's security stamp is the one it was made with (a new role, password or an admin's lock ends it).
/// The key is what the cookie carries; only its hash is stored.
/// </summary>
public interface ILoginSessionStore
{
    /// <summary>Stores a new login; answers the key for the cookie.</summary>
    Task<string> StartAsync(NewLoginSession session, CancellationToken ct);
    /// <summary>The live login with this key; null when it ended, expired or its user's stamp changed.</summary>
    Task<StoredLoginSession?> FindAsync(string key, DateTimeOffset now, CancellationToken ct);
    /// <summary>The sliding expiration: a renewed ticket, a new expiry, and when the person was last seen.</summary>
    Task RenewAsync(string key, byte[] ticket, DateTimeOffset lastSeenAt, DateTimeOffset expiresAt, CancellationToken ct);
    /// <summary>Ends the login with this key (logout); nothing when there is none.</summary>
    Task RemoveAsync(string key, CancellationToken ct);
    /// <summary>Whether the user's login with this id is still live (for long-lived requests such as event streams).</summary>
    Task<bool> IsLiveAsync(long userId, long sessionId, DateTimeOffset now, CancellationToken ct);
    /// <summary>The user's live logins, oldest first.</summary>
    Task<IReadOnlyList<LoginSessionInfo>> ListAsync(long userId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Ends one of the user's logins; false when the user has no such login.</summary>
    Task<bool> EndAsync(long userId, long sessionId, CancellationToken ct);
    /// <summary>Ends every login of the user; answers how many there were.</summary>
    Task<int> EndAllAsync(long userId, CancellationToken ct);
    /// <summary>Deletes expired logins and those whose user's stamp changed.</summary>
    Task<int> PurgeAsync(DateTimeOffset now, CancellationToken ct);
}
