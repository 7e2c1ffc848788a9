namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// One-time links to choose a password (Identity/ in Infrastructure). Only the token's hash is stored; a link works once,
/// until it expires, and only while it is the user's newest.
/// </summary>
public interface IPasswordLinks
{
    /// <summary>Stores a new link for the user and ends every earlier one of theirs that is still open.</summary>
    Task AddAsync(NewPasswordLink link, CancellationToken ct);
    /// <summary>The open link with this hash (not used, not superseded, not expired at <paramref name="now"/>); null otherwise.</summary>
    Task<OpenPasswordLink?> FindOpenAsync(string tokenHash, DateTimeOffset now, CancellationToken ct);
    /// <summary>Marks the link used if it is still open; false when another request used it first, or it closed meanwhile.</summary>
    Task<bool> TryUseAsync(long linkId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Whether the user has an open link, by user id (for the users list).</summary>
    Task<IReadOnlyDictionary<long, DateTimeOffset>> OpenLinkExpiriesAsync(IReadOnlyCollection<long> userIds, DateTimeOffset now, CancellationToken ct);
}

public static class PasswordLinkPurposes
{
    /// <summary>A new user chooses their first password.</summary>
    public const string Welcome = "welcome";
    /// <summary>An admin reset the password; the old one no longer works.</summary>
    public const string Reset = "reset";
}

public sealed record NewPasswordLink(long UserId, string TokenHash, string Purpose, long? CreatedByUserId, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed record OpenPasswordLink(long Id, long UserId, string Purpose, DateTimeOffset ExpiresAt);
