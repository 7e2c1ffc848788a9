using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A person who logs in (Identity's user as the use cases see it). The stamp changes when the login must end.
/// Without a password (<see cref="HasPassword"/> false) the person waits for a one-time link to choose one.
/// </summary>
public sealed record OperatorAccount(
    long Id, long? TenantId, string Email, string DisplayName, CallerRole Role, DateTimeOffset? LockedUntil, DateTimeOffset CreatedAt,
    string SecurityStamp, bool HasPassword = true);

/// <summary>A new person; a null <see cref="Password"/> leaves them without one until they use a one-time link.</summary>
public sealed record NewOperatorAccount(long? TenantId, string Email, string DisplayName, CallerRole Role, string? Password);

/// <summary>What a PATCH changes; null leaves a field as it is.</summary>
public sealed record OperatorAccountChanges(string? DisplayName, CallerRole? Role, string? NewPassword, bool? Locked);

public enum PasswordCheckOutcome
{
    Succeeded,
    /// <summary>Wrong password or no such email: the caller is told the same for both.</summary>
    Failed,
    LockedOut,
}

public sealed record PasswordCheck(PasswordCheckOutcome Outcome, OperatorAccount? Account, DateTimeOffset? LockedUntil);
