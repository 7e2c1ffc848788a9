using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>
/// An admin's password reset by one-time link (the tenant's tenant_admin, or the platform admin): the user's password
/// stops working at once, their logins end, and the answer carries a new link, shown once. Earlier links stop working.
/// Not for yourself (409): you would lock yourself out.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreatePasswordLinkCommand(long TenantId, long UserId) : IRequest<PasswordLinkDto>, ITenantRequest;

public sealed class CreatePasswordLinkCommandValidator : AbstractValidator<CreatePasswordLinkCommand>
{
    public CreatePasswordLinkCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
    }
}

public sealed class CreatePasswordLinkCommandHandler : IRequestHandler<CreatePasswordLinkCommand, PasswordLinkDto>
{
    private readonly TenantUserAccess _access;
    private readonly PasswordLinkReset _reset;

    public CreatePasswordLinkCommandHandler(TenantUserAccess access, PasswordLinkReset reset)
    {
        _access = access;
        _reset = reset;
    }

    public async Task<PasswordLinkDto> Handle(CreatePasswordLinkCommand command, CancellationToken ct)
    {
        var user = await _access.UserOfAsync(command.TenantId, command.UserId, ct);
        return await _reset.ResetAsync(user, ct);
    }
}

/// <summary>The same for a platform admin user (the platform admin only).</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record CreatePlatformPasswordLinkCommand(long UserId) : IRequest<PasswordLinkDto>;

public sealed class CreatePlatformPasswordLinkCommandValidator : AbstractValidator<CreatePlatformPasswordLinkCommand>
{
    public CreatePlatformPasswordLinkCommandValidator() => RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
}

public sealed class CreatePlatformPasswordLinkCommandHandler : IRequestHandler<CreatePlatformPasswordLinkCommand, PasswordLinkDto>
{
    private readonly PlatformUserAccess _access;
    private readonly PasswordLinkReset _reset;

    public CreatePlatformPasswordLinkCommandHandler(PlatformUserAccess access, PasswordLinkReset reset)
    {
        _access = access;
        _reset = reset;
    }

    public async Task<PasswordLinkDto> Handle(CreatePlatformPasswordLinkCommand command, CancellationToken ct)
    {
        var user = await _access.UserAsync(command.UserId, ct);
        return await _reset.ResetAsync(user, ct);
    }
}

/// <summary>
/// Takes the password away (and with it the logins), then issues the link to choose a new one. Not for the caller's
/// own account (409), whoever the caller is: they would lock themselves out, so another admin must.
/// </summary>
public sealed class PasswordLinkReset
{
    private readonly ICurrentCaller _caller;
    private readonly IOperatorAccounts _accounts;
    private readonly PasswordLinkIssuer _issuer;

    public PasswordLinkReset(ICurrentCaller caller, IOperatorAccounts accounts, PasswordLinkIssuer issuer)
    {
        _caller = caller;
        _accounts = accounts;
        _issuer = issuer;
    }

    public async Task<PasswordLinkDto> ResetAsync(OperatorAccount user, CancellationToken ct)
    {
        if (_caller.UserId == user.Id) throw new ConflictException("You cannot reset your own password this way; ask another admin.");
        // Someone who never chose a password is still being welcomed; anyone else is being reset.
        var purpose = user.HasPassword ? PasswordLinkPurposes.Reset : PasswordLinkPurposes.Welcome;
        if (user.HasPassword) user = await _accounts.RemovePasswordAsync(user.Id, ct);
        return await _issuer.IssueAsync(user, purpose, ct);
    }
}
