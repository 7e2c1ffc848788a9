using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>Checks a person's email and password and sets the auth cookie. A wrong email and a wrong password answer alike.</summary>
public sealed record LoginCommand(string? Email, string? Password) : IRequest<UserDto>;

public sealed class LoginCommandValidator : AbstractValidator<LoginCommand>
{
    public LoginCommandValidator()
    {
        RuleFor(c => c.Email).NotEmpty().MaximumLength(UserLimits.EmailMax).OverridePropertyName("email");
        RuleFor(c => c.Password).NotEmpty().MaximumLength(UserLimits.PasswordMax).OverridePropertyName("password");
    }
}

public sealed class LoginCommandHandler : IRequestHandler<LoginCommand, UserDto>
{
    private readonly IOperatorAccounts _accounts;
    private readonly IBrowserSession _session;
    private readonly TimeProvider _time;

    public LoginCommandHandler(IOperatorAccounts accounts, IBrowserSession session, TimeProvider time)
    {
        _accounts = accounts;
        _session = session;
        _time = time;
    }

    public async Task<UserDto> Handle(LoginCommand command, CancellationToken ct)
    {
        var check = await _accounts.CheckPasswordAsync(command.Email!.Trim(), command.Password!, ct);
        switch (check.Outcome)
        {
            case PasswordCheckOutcome.LockedOut:
                var wait = (check.LockedUntil ?? _time.GetUtcNow()) - _time.GetUtcNow();
                // Longer than failed logins ever lock for: an admin locked the account until they unlock it.
                if (wait > UserLimits.LockoutDuration + TimeSpan.FromMinutes(1))
                    throw new TooManyAttemptsException("This account is locked; ask an admin to unlock it.", TimeSpan.FromDays(1));
                throw new TooManyAttemptsException("Too many failed logins; this account is locked for a few minutes.",
                    wait > TimeSpan.FromSeconds(1) ? wait : TimeSpan.FromSeconds(1));
            case PasswordCheckOutcome.Succeeded:
                await _session.SignInAsync(check.Account!, ct);
                return UserDto.From(check.Account!, _time.GetUtcNow());
            default:
                throw new AuthenticationFailedException("Wrong email or password.");
        }
    }
}
