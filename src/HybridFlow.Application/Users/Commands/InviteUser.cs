using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// Adds a person to a tenant without a password: the answer carries a one-time link, shown once, on which they choose it
/// (there is no e-mail). The roles and the email rules are those of <see cref="CreateUserCommand"/>.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record InviteUserCommand(long TenantId, string? Email, string? DisplayName, string? Role) : IRequest<InvitedUserDto>, ITenantRequest;

public sealed class InviteUserCommandValidator : AbstractValidator<InviteUserCommand>
{
    public InviteUserCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.Email).ValidEmail();
        RuleFor(c => c.DisplayName).ValidDisplayName();
        RuleFor(c => c.Role).NotEmpty().OverridePropertyName("role").ValidTenantRole();
    }
}

public sealed class InviteUserCommandHandler : IRequestHandler<InviteUserCommand, InvitedUserDto>
{
    private readonly TenantUserCreation _creation;
    private readonly PasswordLinkIssuer _issuer;
    private readonly TimeProvider _time;

    public InviteUserCommandHandler(TenantUserCreation creation, PasswordLinkIssuer issuer, TimeProvider time)
    {
        _creation = creation;
        _issuer = issuer;
        _time = time;
    }

    public async Task<InvitedUserDto> Handle(InviteUserCommand command, CancellationToken ct)
    {
        var created = await _creation.CreateAsync(command.TenantId, command.Email!, command.DisplayName, command.Role!, password: null, ct);
        var link = await _issuer.IssueAsync(created, PasswordLinkPurposes.Welcome, ct);
        return new InvitedUserDto(UserDto.From(created, _time.GetUtcNow()), link);
    }
}
