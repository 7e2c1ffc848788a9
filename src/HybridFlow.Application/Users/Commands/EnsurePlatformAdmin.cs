using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Startup's ADMIN_EMAIL + ADMIN_PASSWORD: creates the platform_admin user unless a user already has that email (then
/// nothing changes, not even the password). Safe when two replicas start at once. Answers whether it created the user.
/// A password the rules refuse fails with a message naming ADMIN_PASSWORD, never the password itself.
/// </summary>
public sealed record EnsurePlatformAdminCommand(string Email, string Password) : IRequest<bool>;

public sealed class EnsurePlatformAdminCommandHandler : IRequestHandler<EnsurePlatformAdminCommand, bool>
{
    private readonly IOperatorAccounts _accounts;

    public EnsurePlatformAdminCommandHandler(IOperatorAccounts accounts) => _accounts = accounts;

    public async Task<bool> Handle(EnsurePlatformAdminCommand command, CancellationToken ct)
    {
        var email = command.Email.Trim();
        if (!email.Contains('@', StringComparison.Ordinal) || email.Length > UserLimits.EmailMax)
            throw new InvalidOperationException("ADMIN_EMAIL is not an email address.");
        var problems = await _accounts.PasswordProblemsAsync(command.Password, ct);
        if (command.Password.Length > UserLimits.PasswordMax) problems = [.. problems, $"It is longer than {UserLimits.PasswordMax} characters."];
        if (problems.Count > 0)
            throw new InvalidOperationException($"ADMIN_PASSWORD is too weak: {string.Join(" ", problems)}");

        if (await _accounts.FindByEmailAsync(email, ct) is not null) return false;
        try
        {
            await _accounts.CreateAsync(new NewOperatorAccount(null, email, "Platform admin", CallerRole.PlatformAdmin, command.Password), ct);
            return true;
        }
        catch (ConflictException)
        {
            return false; // another replica created it a moment ago
        }
        catch (RequestValidationException e) when (e.Errors.ContainsKey("email"))
        {
            throw new InvalidOperationException("ADMIN_EMAIL is not a valid email address.");
        }
    }
}
