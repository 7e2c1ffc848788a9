namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The user store (ASP.NET Core Identity in Infrastructure): hashing, lockout and the password rules live there.
/// Refusals come back as the Application's exceptions: a taken email is a ConflictException, a weak password a
/// RequestValidationException naming <c>password</c>.
/// </summary>
public interface IOperatorAccounts
{
    Task<OperatorAccount?> FindAsync(long id, CancellationToken ct);
    Task<OperatorAccount?> FindByEmailAsync(string email, CancellationToken ct);
    /// <summary>
    /// Checks the password (failures are counted by the login throttles, not here). A locked account answers LockedOut
    /// only to the right password; a wrong one is Failed, as for any account.
    /// </summary>
    Task<PasswordCheck> CheckPasswordAsync(string email, string password, CancellationToken ct);
    /// <summary>Locks the account with this email until <paramref name="until"/> unless it is locked longer; nothing when there is none.</summary>
    Task LockUntilAsync(string email, DateTimeOffset until, CancellationToken ct);
    Task<OperatorAccount> CreateAsync(NewOperatorAccount account, CancellationToken ct);
    /// <summary>A new role, password or lock also ends the account's existing logins (new security stamp).</summary>
    Task<OperatorAccount> UpdateAsync(long id, OperatorAccountChanges changes, CancellationToken ct);
    /// <summary>Takes the password away (it stops working) and ends the account's logins (new security stamp).</summary>
    Task<OperatorAccount> RemovePasswordAsync(long id, CancellationToken ct);
    /// <summary>False when there is no such account.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken ct);
    Task<IReadOnlyList<OperatorAccount>> ListByTenantAsync(long tenantId, CancellationToken ct);
    /// <summary>The users without a tenant (platform admins), oldest first.</summary>
    Task<IReadOnlyList<OperatorAccount>> ListPlatformAsync(CancellationToken ct);
    /// <summary>True when <paramref name="password"/> is the one ADMIN_PASSWORD_RESET last applied to the account (kept as a salted hash).</summary>
    Task<bool> WasResetToAsync(long id, string password, CancellationToken ct);
    /// <summary>Remembers that ADMIN_PASSWORD_RESET applied <paramref name="password"/> to the account.</summary>
    Task RecordResetToAsync(long id, string password, CancellationToken ct);
    /// <summary>The password rules' complaints about <paramref name="password"/>; empty when it is acceptable.</summary>
    Task<IReadOnlyList<string>> PasswordProblemsAsync(string password, CancellationToken ct);
}
