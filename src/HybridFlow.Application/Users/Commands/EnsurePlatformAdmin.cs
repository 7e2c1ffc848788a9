using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Startup's ADMIN_EMAIL + ADMIN_PASSWORD: creates the platform_admin user unless a user already has that email (then
/// nothing changes, not even the password). With <paramref name="ResetPassword"/> (ADMIN_PASSWORD_RESET=true) an existing
/// platform admin gets ADMIN_PASSWORD and is unlocked, once: the applied value is remembered (salted hash), so a restart
/// with the flag still set leaves a password changed since alone, while a new ADMIN_PASSWORD is applied again. Safe when
/// two replicas start at once (both set the same password). A password the rules refuse fails with a message naming
/// ADMIN_PASSWORD, never the password itself.
/// </summary>
[AllowAnonymousCaller]
public sealed record EnsurePlatformAdminCommand(string Email, string Password, bool ResetPassword = false) : IRequest<PlatformAdminOutcome>;

public enum PlatformAdminOutcome
{
    Created,
    LeftUnchanged,
    PasswordReset,
    /// <summary>ADMIN_PASSWORD_RESET is still set, but this ADMIN_PASSWORD was applied before.</summary>
    ResetAlreadyApplied,
}

public sealed class EnsurePlatformAdminCommandHandler : IRequestHandler<EnsurePlatformAdminCommand, PlatformAdminOutcome>
{
    private readonly IOperatorAccounts _accounts;
    private readonly ILoginThrottles _throttles;

    public EnsurePlatformAdminCommandHandler(IOperatorAccounts accounts, ILoginThrottles throttles)
    {
        _accounts = accounts;
        _throttles = throttles;
    }

    public async Task<PlatformAdminOutcome> Handle(EnsurePlatformAdminCommand command, CancellationToken ct)
    {
        var email = command.Email.Trim();
        if (!email.Contains('@', StringComparison.Ordinal) || email.Length > UserLimits.EmailMax)
            throw new InvalidOperationException("ADMIN_EMAIL is not an email address.");
        var problems = await _accounts.PasswordProblemsAsync(command.Password, ct);
        if (command.Password.Length > UserLimits.PasswordMax) problems = [.. problems, $"It is longer than {UserLimits.PasswordMax} characters."];
        if (problems.Count > 0)
            throw new InvalidOperationException($"ADMIN_PASSWORD is too weak: {string.Join(" ", problems)}");

        if (await _accounts.FindByEmailAsync(email, ct) is { } existing)
            return command.ResetPassword ? await ResetAsync(existing, command.Password, ct) : PlatformAdminOutcome.LeftUnchanged;
        try
        {
            var created = await _accounts.CreateAsync(
                new NewOperatorAccount(null, email, "Platform admin", CallerRole.PlatformAdmin, command.Password), ct);
            if (command.ResetPassword) await _accounts.RecordResetToAsync(created.Id, command.Password, ct);
            return PlatformAdminOutcome.Created;
        }
        catch (ConflictException)
        {
            return PlatformAdminOutcome.LeftUnchanged; // another replica created it a moment ago
        }
        catch (RequestValidationException e) when (e.Errors.ContainsKey("email"))
        {
            throw new InvalidOperationException("ADMIN_EMAIL is not a valid email address.");
        }
    }

    private async Task<PlatformAdminOutcome> ResetAsync(OperatorAccount account, string password, CancellationToken ct)
    {
        if (account.TenantId is not null || account.Role != CallerRole.PlatformAdmin)
            throw new InvalidOperationException("ADMIN_PASSWORD_RESET: the ADMIN_EMAIL user is not a platform admin; reset it through its tenant's users API.");
        if (await _accounts.WasResetToAsync(account.Id, password, ct)) return PlatformAdminOutcome.ResetAlreadyApplied;
        var changes = new OperatorAccountChanges(null, null, password, Locked: false);
        await _accounts.UpdateAsync(account.Id, changes, ct);
        await _throttles.ForgetAfterChangeAsync(account.Email, changes, ct);
        await _accounts.RecordResetToAsync(account.Id, password, ct);
        return PlatformAdminOutcome.PasswordReset;
    }
}
