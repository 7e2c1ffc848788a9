using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Adds a person to a tenant (tenant_admin or agent). The email is the login, unique across tenants: one the caller can
/// see (in this tenant, or any for the platform admin) is 409 "already exists"; one held elsewhere is 409 "cannot be
/// used", which names no tenant or user (docs/decisions/ADR-010-global-login-emails.md).
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreateUserCommand(long TenantId, string? Email, string? DisplayName, string? Role, string? Password) : IRequest<UserDto>, ITenantRequest;

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
    private readonly TenantUserCreation _creation;
    private readonly TimeProvider _time;

    public CreateUserCommandHandler(TenantUserCreation creation, TimeProvider time)
    {
        _creation = creation;
        _time = time;
    }

    public async Task<UserDto> Handle(CreateUserCommand command, CancellationToken ct)
    {
        var created = await _creation.CreateAsync(command.TenantId, command.Email!, command.DisplayName, command.Role!, command.Password, ct);
        return UserDto.From(created, _time.GetUtcNow());
    }
}

/// <summary>
/// Adds a person to a tenant, with a password or without one (then they choose it through a one-time link). A taken
/// email is told as <see cref="CreateUserCommand"/> says.
/// </summary>
public sealed class TenantUserCreation
{
    private readonly TenantUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly ICurrentCaller _caller;

    public TenantUserCreation(TenantUserAccess access, IOperatorAccounts accounts, ICurrentCaller caller)
    {
        _access = access;
        _accounts = accounts;
        _caller = caller;
    }

    public async Task<OperatorAccount> CreateAsync(long tenantId, string email, string? displayName, string role, string? password, CancellationToken ct)
    {
        await _access.EnsureTenantExistsAsync(tenantId, ct);
        email = email.Trim();
        // Without a name the person is shown by the email's local part until someone sets one.
        var name = displayName?.Trim() is { Length: > 0 } given ? given : email.Split('@')[0];
        if (await _accounts.FindByEmailAsync(email, ct) is { } holder) throw Taken(holder);
        try
        {
            return await _accounts.CreateAsync(new NewOperatorAccount(tenantId, email, name, CallerRoleNames.Parse(role), password), ct);
        }
        catch (ConflictException)
        {
            // Taken a moment ago: answered by who holds it, as above.
            throw await _accounts.FindByEmailAsync(email, ct) is { } raced ? Taken(raced) : new ConflictException("This email cannot be used; choose another address.");
        }
    }

    /// <summary>Only a caller who can see the holder is told it exists; elsewhere the email just cannot be used.</summary>
    private ConflictException Taken(OperatorAccount holder) =>
        _caller.Role == CallerRole.PlatformAdmin || (holder.TenantId is { } tenant && tenant == _caller.TenantId)
            ? new ConflictException("A user with this email already exists.")
            : new ConflictException("This email cannot be used; choose another address.");
}
