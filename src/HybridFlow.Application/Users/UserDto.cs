using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Users;

/// <summary>A person as the API shows them: never the password hash or the security stamp.</summary>
public sealed record UserDto(long Id, long? TenantId, string Email, string DisplayName, string Role, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt)
{
    public static UserDto From(OperatorAccount account, DateTimeOffset now) => new(
        account.Id, account.TenantId, account.Email, account.DisplayName, account.Role.ToName(),
        account.LockedUntil is { } until && until > now ? until : null, account.CreatedAt);
}

public sealed record UserListDto(IReadOnlyList<UserListItemDto> Items);

/// <summary>
/// A user as listed: the user and their <see cref="State"/>, one of <see cref="UserStates"/>. A pending user has no
/// password yet; <see cref="LinkExpiresAt"/> is when their open one-time link expires (null when none is open).
/// </summary>
public sealed record UserListItemDto(long Id, long? TenantId, string Email, string DisplayName, string Role, DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt, string State, DateTimeOffset? LinkExpiresAt)
{
    public static UserListItemDto From(OperatorAccount account, DateTimeOffset now, DateTimeOffset? linkExpiresAt)
    {
        var user = UserDto.From(account, now);
        var state = user.LockedUntil is not null ? UserStates.Locked : account.HasPassword ? UserStates.Active : UserStates.Pending;
        return new(user.Id, user.TenantId, user.Email, user.DisplayName, user.Role, user.LockedUntil, user.CreatedAt, state, linkExpiresAt);
    }

    /// <summary>Each account with its state, and the open link's expiry for those still without a password (one query).</summary>
    public static async Task<UserListDto> ListAsync(IReadOnlyList<OperatorAccount> accounts, IPasswordLinks links, DateTimeOffset now, CancellationToken ct)
    {
        var expiries = await links.OpenLinkExpiriesAsync([.. accounts.Where(a => !a.HasPassword).Select(a => a.Id)], now, ct);
        return new UserListDto([.. accounts.Select(a => From(a, now, expiries.TryGetValue(a.Id, out var at) ? at : null))]);
    }
}

public static class UserStates
{
    public const string Active = "active";
    public const string Locked = "locked";
    /// <summary>No password yet: the person has not used their one-time link.</summary>
    public const string Pending = "pending";
}

/// <summary>Lengths shared by the validators and Identity's options (NIST style: a minimum length, no composition rules).</summary>
public static class UserLimits
{
    public const int EmailMax = 256;
    public const int DisplayNameMax = 100;
    public const int PasswordMin = 10;
    /// <summary>Bounds the hashing work a request can ask for; long passphrases still fit.</summary>
    public const int PasswordMax = 256;
    /// <summary>The longest lock failed logins set (the LOGIN_LOCKOUT_FAILURES backstop); an admin's lock is longer.</summary>
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromHours(1);
    /// <summary>How long a one-time link to choose a password works.</summary>
    public static readonly TimeSpan PasswordLinkLifetime = TimeSpan.FromHours(72);
}
