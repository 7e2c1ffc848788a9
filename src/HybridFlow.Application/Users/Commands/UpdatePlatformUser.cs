using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// The platform admin changes a user without a tenant: name, role (platform_admin is the only one without a tenant),
/// password reset, lock or unlock. An unlock or a new password also clears the email's failed-login throttles. A new
/// role, password or lock ends the user's open logins. Nobody locks themselves (409).
/// </summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record UpdatePlatformUserCommand(long UserId, string? DisplayName, string? Role, string? Password, bool? Locked) : IRequest<UserDto>;

public sealed class UpdatePlatformUserCommandValidator : AbstractValidator<UpdatePlatformUserCommand>
{
    public UpdatePlatformUserCommandValidator()
    {
        RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).Must(r => r is null or CallerRoleNames.PlatformAdmin)
            .WithMessage($"role must be {CallerRoleNames.PlatformAdmin} for a user without a tenant.").OverridePropertyName("role");
        RuleFor(c => c.Password).ValidPassword().When(c => c.Password is not null);
    }
}

public sealed class UpdatePlatformUserCommandHandler : IRequestHandler<UpdatePlatformUserCommand, UserDto>
{
    private readonly PlatformUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly ILoginThrottles _throttles;
    private readonly TimeProvider _time;

    public UpdatePlatformUserCommandHandler(PlatformUserAccess access, IOperatorAccounts accounts, ILoginThrottles throttles, TimeProvider time)
    {
        _access = access;
        _accounts = accounts;
        _throttles = throttles;
        _time = time;
    }

    public async Task<UserDto> Handle(UpdatePlatformUserCommand command, CancellationToken ct)
    {
        var user = await _access.UserAsync(command.UserId, ct);
        if (_access.IsCaller(user.Id) && command.Locked == true) throw new ConflictException("You cannot lock your own account.");

        var role = command.Role is null ? (CallerRole?)null : CallerRoleNames.Parse(command.Role);
        var changes = new OperatorAccountChanges(command.DisplayName?.Trim(), role, command.Password, command.Locked);
        var updated = await _accounts.UpdateAsync(user.Id, changes, ct);
        await _throttles.ForgetAfterChangeAsync(user.Email, changes, ct);
        return UserDto.From(updated, _time.GetUtcNow());
    }
}
