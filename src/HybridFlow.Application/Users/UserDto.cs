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

public sealed record UserListDto(IReadOnlyList<UserDto> Items);

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
}
