using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>Adds a person to a tenant (tenant_admin or agent). A taken email is 409; the email is the login, unique across tenants.</summary>
public sealed record CreateUserCommand(long TenantId, string? Email, string? DisplayName, string? Role, string? Password) : IRequest<UserDto>;

public sealed class CreateUserCommandValidator : AbstractValidator<CreateUserCommand>
{
    public CreateUserCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.Email).ValidEmail();
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).NotEmpty().OverridePropertyName("role").ValidTenantRole();
        RuleFor(c => c.Password).NotEmpty().OverridePropertyName("password").ValidPassword();
    }
}

public sealed class CreateUserCommandHandler : IRequestHandler<CreateUserCommand, UserDto>
{
    private readonly TenantUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public CreateUserCommandHandler(TenantUserAccess access, IOperatorAccounts accounts, TimeProvider time)
    {
        _access = access;
        _accounts = accounts;
        _time = time;
    }

    public async Task<UserDto> Handle(CreateUserCommand command, CancellationToken ct)
    {
        await _access.EnsureAdminOfAsync(command.TenantId, ct);
        var email = command.Email!.Trim();
        // Without a name the person is shown by the email's local part until someone sets one.
        var displayName = command.DisplayName?.Trim() is { Length: > 0 } name ? name : email.Split('@')[0];
        var created = await _accounts.CreateAsync(
            new NewOperatorAccount(command.TenantId, email, displayName, CallerRoleNames.Parse(command.Role!), command.Password!), ct);
        return UserDto.From(created, _time.GetUtcNow());
    }
}
