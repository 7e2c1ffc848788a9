using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Logins;

namespace HybridFlow.Application.Users;

/// <summary>LOGIN_LOCKOUT_FAILURES: failed logins per email in an hour, from any address, before the account locks for an hour.</summary>
public sealed record LoginOptions(int LockoutFailures = LoginOptions.DefaultLockoutFailures)
{
    public const int DefaultLockoutFailures = 50;
}

/// <summary>
/// The three throttles every login try goes through: the email from this address, this address, and the email from
/// anywhere (the backstop). Emails are counted as strings, whether an account has them or not, so an unknown email is
/// answered exactly like a known one.
/// </summary>
public static class LoginThrottling
{
    /// <summary>A hash of the email as Identity normalises it: the table holds no one's address, typos included.</summary>
    public static string EmailKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToUpperInvariant())));

    public static IReadOnlyList<LoginThrottleKey> Keys(string emailKey, string source) =>
    [
        new(LoginThrottleScope.Address, "", source),
        new(LoginThrottleScope.EmailFromAddress, emailKey, source),
        new(LoginThrottleScope.Email, emailKey, ""),
    ];

    /// <summary>An unlock or a new password lets the person in again: their email's failed-login throttles start over.</summary>
    public static Task ForgetAfterChangeAsync(this ILoginThrottles throttles, string email, OperatorAccountChanges changes, CancellationToken ct) =>
        changes.Locked == false || changes.NewPassword is not null ? throttles.ForgetEmailAsync(EmailKey(email), ct) : Task.CompletedTask;

    public static IReadOnlyList<LoginThrottleRule> Rules(LoginOptions options) =>
        [LoginThrottleRule.Address, LoginThrottleRule.EmailFromAddress, LoginThrottleRule.Email(options.LockoutFailures)];
}
