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
        if (_access.IsCaller(user.Id)) throw new ConflictException(PasswordLinkReset.NotForOneself);
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
        if (_access.IsCaller(user.Id)) throw new ConflictException(PasswordLinkReset.NotForOneself);
        return await _reset.ResetAsync(user, ct);
    }
}

/// <summary>Takes the password away (and with it the logins), then issues the link to choose a new one.</summary>
public sealed class PasswordLinkReset
{
    /// <summary>Both callers' answer when an admin resets their own password (409): another admin must.</summary>
    public const string NotForOneself = "You cannot reset your own password this way; ask another admin.";

    private readonly IOperatorAccounts _accounts;
    private readonly PasswordLinkIssuer _issuer;

    public PasswordLinkReset(IOperatorAccounts accounts, PasswordLinkIssuer issuer)
    {
        _accounts = accounts;
        _issuer = issuer;
    }

    public async Task<PasswordLinkDto> ResetAsync(OperatorAccount user, CancellationToken ct)
    {
        // Someone who never chose a password is still being welcomed; anyone else is being reset.
        var purpose = user.HasPassword ? PasswordLinkPurposes.Reset : PasswordLinkPurposes.Welcome;
        if (user.HasPassword) user = await _accounts.RemovePasswordAsync(user.Id, ct);
        return await _issuer.IssueAsync(user, purpose, ct);
    }
}
