using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>IOperatorAccounts over Identity's UserManager: its hasher, validators and lockout (set by the login throttles' backstop).</summary>
internal sealed class OperatorAccounts : IOperatorAccounts
{
    private readonly UserManager<OperatorUser> _users;
    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _time;

    public OperatorAccounts(UserManager<OperatorUser> users, NpgsqlDataSource db, TimeProvider time)
    {
        _users = users;
        _db = db;
        _time = time;
    }

    public async Task<OperatorAccount?> FindAsync(long id, CancellationToken ct) =>
        await FindUserAsync(id, ct) is { } user ? ToAccount(user) : null;

    public async Task<OperatorAccount?> FindByEmailAsync(string email, CancellationToken ct) =>
        await _users.FindByEmailAsync(email) is { } user ? ToAccount(user) : null;

    public async Task<PasswordCheck> CheckPasswordAsync(string email, string password, CancellationToken ct)
    {
        var user = await _users.FindByEmailAsync(email);
        // A user still waiting for their one-time link has no password: answered, and timed, as an unknown email.
        if (user is null || user.PasswordHash is null)
        {
            // The same hashing work as for a real user, so the answer's timing does not tell which emails exist.
            _users.PasswordHasher.VerifyHashedPassword(new OperatorUser(), UnknownUserHash.Value, password);
            return new PasswordCheck(PasswordCheckOutcome.Failed, null, null);
        }
        // Failures are counted by the login throttles, not by Identity's counter.
        if (!await _users.CheckPasswordAsync(user, password)) return new PasswordCheck(PasswordCheckOutcome.Failed, null, null);
        return await _users.IsLockedOutAsync(user) ? LockedOut(user) : new PasswordCheck(PasswordCheckOutcome.Succeeded, ToAccount(user), null);
    }

    public async Task LockUntilAsync(string email, DateTimeOffset until, CancellationToken ct)
    {
        if (await _users.FindByEmailAsync(email) is not { } user) return;
        if (user.LockoutEnd is { } current && current >= until) return;
        user.LockoutEnd = until;
        ThrowIfFailed(await SaveAsync(() => _users.UpdateAsync(user)));
    }

    public async Task<OperatorAccount> CreateAsync(NewOperatorAccount account, CancellationToken ct)
    {
        var user = new OperatorUser
        {
            UserName = account.Email,
            Email = account.Email,
            TenantId = account.TenantId,
            Role = account.Role.ToName(),
            DisplayName = account.DisplayName,
            CreatedAt = _time.GetUtcNow(),
            LockoutEnabled = true,
        };
        ThrowIfFailed(await SaveAsync(() => account.Password is { } password ? _users.CreateAsync(user, password) : _users.CreateAsync(user)));
        return ToAccount(user);
    }

    public async Task<OperatorAccount> UpdateAsync(long id, OperatorAccountChanges changes, CancellationToken ct)
    {
        var user = await FindUserAsync(id, ct) ?? throw new NotFoundException("User", id);
        var endsLogins = false;
        if (changes.DisplayName is { } name) user.DisplayName = name;
        if (changes.Role is { } role && role.ToName() != user.Role)
        {
            user.Role = role.ToName();
            endsLogins = true;
        }
        if (changes.NewPassword is { } password)
        {
            var problems = await PasswordProblemsAsync(user, password);
            if (problems.Count > 0) throw new RequestValidationException("password", string.Join(" ", problems));
            user.PasswordHash = _users.PasswordHasher.HashPassword(user, password);
            endsLogins = true;
        }
        if (changes.Locked == true)
        {
            user.LockoutEnd = DateTimeOffset.MaxValue;
            endsLogins = true;
        }
        else if (changes.Locked == false)
        {
            user.LockoutEnd = null;
            user.AccessFailedCount = 0;
        }
        ThrowIfFailed(await SaveAsync(() => endsLogins ? _users.UpdateSecurityStampAsync(user) : _users.UpdateAsync(user)));
        return ToAccount(user);
    }

    public async Task<OperatorAccount> RemovePasswordAsync(long id, CancellationToken ct)
    {
        var user = await FindUserAsync(id, ct) ?? throw new NotFoundException("User", id);
        user.PasswordHash = null;
        ThrowIfFailed(await SaveAsync(() => _users.UpdateSecurityStampAsync(user)));
        return ToAccount(user);
    }

    public async Task<bool> DeleteAsync(long id, CancellationToken ct)
    {
        if (await FindUserAsync(id, ct) is not { } user) return false;
        ThrowIfFailed(await _users.DeleteAsync(user));
        return true;
    }

    public async Task<IReadOnlyList<OperatorAccount>> ListByTenantAsync(long tenantId, CancellationToken ct) =>
        [.. (await _users.Users.AsNoTracking().Where(u => u.TenantId == tenantId).OrderBy(u => u.Id).ToListAsync(ct)).Select(ToAccount)];

    public async Task<IReadOnlyList<OperatorAccount>> ListPlatformAsync(CancellationToken ct) =>
        [.. (await _users.Users.AsNoTracking().Where(u => u.TenantId == null).OrderBy(u => u.Id).ToListAsync(ct)).Select(ToAccount)];

    public async Task<bool> WasResetToAsync(long id, string password, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("SELECT password_hash FROM admin_password_resets WHERE user_id = $1");
        cmd.Parameters.AddWithValue(id);
        return await cmd.ExecuteScalarAsync(ct) is string hash
               && _users.PasswordHasher.VerifyHashedPassword(new OperatorUser(), hash, password) != PasswordVerificationResult.Failed;
    }

    public async Task RecordResetToAsync(long id, string password, CancellationToken ct)
    {
        await using var cmd = _db.CreateCommand("""
            INSERT INTO admin_password_resets (user_id, password_hash, applied_at) VALUES ($1, $2, $3)
            ON CONFLICT (user_id) DO UPDATE SET password_hash = EXCLUDED.password_hash, applied_at = EXCLUDED.applied_at
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(_users.PasswordHasher.HashPassword(new OperatorUser(), password));
        cmd.Parameters.AddWithValue(_time.GetUtcNow());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public Task<IReadOnlyList<string>> PasswordProblemsAsync(string password, CancellationToken ct) =>
        PasswordProblemsAsync(new OperatorUser(), password);

    private async Task<IReadOnlyList<string>> PasswordProblemsAsync(OperatorUser user, string password)
    {
        var problems = new List<string>();
        foreach (var validator in _users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(_users, user, password);
            problems.AddRange(result.Errors.Select(e => e.Description));
        }
        return problems;
    }

    private Task<OperatorUser?> FindUserAsync(long id, CancellationToken ct) => _users.Users.FirstOrDefaultAsync(u => u.Id == id, ct);

    private PasswordCheck LockedOut(OperatorUser user) =>
        new(PasswordCheckOutcome.LockedOut, null, user.LockoutEnd ?? _time.GetUtcNow());

    /// <summary>Two requests taking the same email at once: the unique index refuses the second, which is told as for a taken email.</summary>
    private static async Task<IdentityResult> SaveAsync(Func<Task<IdentityResult>> save)
    {
        try
        {
            return await save();
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return IdentityResult.Failed(new IdentityErrorDescriber().DuplicateEmail(""));
        }
    }

    private static void ThrowIfFailed(IdentityResult result)
    {
        if (result.Succeeded) return;
        var codes = result.Errors.Select(e => e.Code).ToList();
        if (codes.Any(c => c is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
            throw new ConflictException("A user with this email already exists.");
        if (codes.Contains(nameof(IdentityErrorDescriber.ConcurrencyFailure)))
            throw new ConflictException("The user was changed at the same time; reload and try again.");
        var password = result.Errors.Where(e => e.Code.StartsWith("Password", StringComparison.Ordinal)).Select(e => e.Description).ToList();
        if (password.Count > 0) throw new RequestValidationException("password", string.Join(" ", password));
        var email = result.Errors.Where(e => e.Code is nameof(IdentityErrorDescriber.InvalidEmail) or nameof(IdentityErrorDescriber.InvalidUserName)).ToList();
        if (email.Count > 0) throw new RequestValidationException("email", "email is not a valid email address.");
        throw new InvalidOperationException("Identity refused the change: " + string.Join(", ", codes));
    }

    private static OperatorAccount ToAccount(OperatorUser user) => new(
        user.Id, user.TenantId, user.Email ?? "", user.DisplayName, CallerRoleNames.Parse(user.Role), user.LockoutEnd, user.CreatedAt,
        user.SecurityStamp ?? "", user.PasswordHash is not null);

    /// <summary>A hash of no one's password, verified for unknown emails.</summary>
    private static readonly Lazy<string> UnknownUserHash = new(() =>
        new PasswordHasher<OperatorUser>().HashPassword(new OperatorUser(), Guid.NewGuid().ToString("N")));
}
