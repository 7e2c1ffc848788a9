using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Changes a tenant's user: name, role, an admin's password reset, lock or unlock (which also clears the email's login throttles). A new role, password or lock ends the
/// user's open logins. A tenant admin cannot demote or lock themselves (409), so a tenant never loses its last way in by accident.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record UpdateUserCommand(long TenantId, long UserId, string? DisplayName, string? Role, string? Password, bool? Locked) : IRequest<UserDto>, ITenantRequest;

public sealed class UpdateUserCommandValidator : AbstractValidator<UpdateUserCommand>
{
    public UpdateUserCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).ValidTenantRole();
        RuleFor(c => c.Password).ValidPassword().When(c => c.Password is not null);
    }
}

public sealed class UpdateUserCommandHandler : IRequestHandler<UpdateUserCommand, UserDto>
{
    private readonly TenantUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly ILoginThrottles _throttles;
    private readonly TimeProvider _time;

    public UpdateUserCommandHandler(TenantUserAccess access, IOperatorAccounts accounts, ILoginThrottles throttles, TimeProvider time)
    {
        _access = access;
        _accounts = accounts;
        _throttles = throttles;
        _time = time;
    }

    public async Task<UserDto> Handle(UpdateUserCommand command, CancellationToken ct)
    {
        var user = await _access.UserOfAsync(command.TenantId, command.UserId, ct);
        var role = command.Role is null ? (CallerRole?)null : CallerRoleNames.Parse(command.Role);
        if (_access.IsCaller(user.Id))
        {
            if (role is { } r && r != user.Role) throw new ConflictException("You cannot change your own role; ask another tenant admin.");
            if (command.Locked == true) throw new ConflictException("You cannot lock your own account.");
        }

        var changes = new OperatorAccountChanges(command.DisplayName?.Trim(), role, command.Password, command.Locked);
        var updated = await _accounts.UpdateAsync(user.Id, changes, ct);
        await _throttles.ForgetAfterChangeAsync(user.Email, changes, ct);
        return UserDto.From(updated, _time.GetUtcNow());
    }
}
