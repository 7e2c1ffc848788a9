using System.Security.Cryptography;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Users;

/// <summary>
/// A one-time link as its maker sees it, once: <see cref="Token"/> is in this answer only (stored as a hash).
/// <see cref="Path"/> is the web app's page for it, relative to the server's address.
/// </summary>
public sealed record PasswordLinkDto(string Token, string Path, string Purpose, DateTimeOffset ExpiresAt);

/// <summary>A user made without a password, and the one-time link on which they choose it.</summary>
public sealed record InvitedUserDto(UserDto User, PasswordLinkDto PasswordLink);

/// <summary>What the link's page shows before the person chooses a password.</summary>
public sealed record PasswordLinkInfoDto(string Email, string DisplayName, string Purpose, DateTimeOffset ExpiresAt);

/// <summary>Makes one-time links: 256 random bits, stored as a SHA-256 hash (high-entropy tokens need no slow hash).</summary>
public sealed class PasswordLinkIssuer
{
    /// <summary>The web app's page; the token rides in the fragment, so it never reaches a server's request log.</summary>
    public const string PagePath = "/#/welcome/";

    private readonly IPasswordLinks _links;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public PasswordLinkIssuer(IPasswordLinks links, ICurrentCaller caller, TimeProvider time)
    {
        _links = links;
        _caller = caller;
        _time = time;
    }

    /// <summary>A new link for the account; the account's earlier links stop working.</summary>
    public async Task<PasswordLinkDto> IssueAsync(OperatorAccount account, string purpose, CancellationToken ct)
    {
        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = _time.GetUtcNow();
        var expires = now + UserLimits.PasswordLinkLifetime;
        expires = expires.AddTicks(-(expires.Ticks % 10)); // whole microseconds, as PostgreSQL keeps it: the list shows the same time
        await _links.AddAsync(new NewPasswordLink(account.Id, Hash(token), purpose, _caller.UserId, now, expires), ct);
        return new PasswordLinkDto(token, PagePath + token, purpose, expires);
    }

    public static string Hash(string token) => ApiKeySecrets.Hash(token);
}
