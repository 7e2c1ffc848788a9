using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>The platform admin adds another platform admin user (no tenant). A taken email is 409.</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record CreatePlatformUserCommand(string? Email, string? DisplayName, string? Role, string? Password) : IRequest<UserDto>;

public sealed class CreatePlatformUserCommandValidator : AbstractValidator<CreatePlatformUserCommand>
{
    public CreatePlatformUserCommandValidator()
    {
        RuleFor(c => c.Email).ValidEmail();
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).Must(r => r is null or CallerRoleNames.PlatformAdmin)
            .WithMessage($"role must be {CallerRoleNames.PlatformAdmin} for a user without a tenant.").OverridePropertyName("role");
        RuleFor(c => c.Password).NotEmpty().OverridePropertyName("password").ValidPassword();
    }
}

public sealed class CreatePlatformUserCommandHandler : IRequestHandler<CreatePlatformUserCommand, UserDto>
{
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public CreatePlatformUserCommandHandler(IOperatorAccounts accounts, TimeProvider time)
    {
        _accounts = accounts;
        _time = time;
    }

    public async Task<UserDto> Handle(CreatePlatformUserCommand command, CancellationToken ct)
    {
        var email = command.Email!.Trim();
        var displayName = command.DisplayName?.Trim() is { Length: > 0 } name ? name : email.Split('@')[0];
        var created = await _accounts.CreateAsync(new NewOperatorAccount(null, email, displayName, CallerRole.PlatformAdmin, command.Password!), ct);
        return UserDto.From(created, _time.GetUtcNow());
    }
}
