using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>The platform admin adds another platform admin without a password; the answer carries the one-time link.</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record InvitePlatformUserCommand(string? Email, string? DisplayName, string? Role = null) : IRequest<InvitedUserDto>;

public sealed class InvitePlatformUserCommandValidator : AbstractValidator<InvitePlatformUserCommand>
{
    public InvitePlatformUserCommandValidator()
    {
        RuleFor(c => c.Email).ValidEmail();
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).Must(r => r is null or CallerRoleNames.PlatformAdmin)
            .WithMessage($"role must be {CallerRoleNames.PlatformAdmin} for a user without a tenant.").OverridePropertyName("role");
    }
}

public sealed class InvitePlatformUserCommandHandler : IRequestHandler<InvitePlatformUserCommand, InvitedUserDto>
{
    private readonly IOperatorAccounts _accounts;
    private readonly PasswordLinkIssuer _issuer;
    private readonly TimeProvider _time;

    public InvitePlatformUserCommandHandler(IOperatorAccounts accounts, PasswordLinkIssuer issuer, TimeProvider time)
    {
        _accounts = accounts;
        _issuer = issuer;
        _time = time;
    }

    public async Task<InvitedUserDto> Handle(InvitePlatformUserCommand command, CancellationToken ct)
    {
        var email = command.Email!.Trim();
        var displayName = command.DisplayName?.Trim() is { Length: > 0 } name ? name : email.Split('@')[0];
        var created = await _accounts.CreateAsync(new NewOperatorAccount(null, email, displayName, CallerRole.PlatformAdmin, Password: null), ct);
        var link = await _issuer.IssueAsync(created, PasswordLinkPurposes.Welcome, ct);
        return new InvitedUserDto(UserDto.From(created, _time.GetUtcNow()), link);
    }
}
