using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>The platform admin deletes a user without a tenant; their open logins end. Not oneself (409).</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record DeletePlatformUserCommand(long UserId) : IRequest<Unit>;

public sealed class DeletePlatformUserCommandValidator : AbstractValidator<DeletePlatformUserCommand>
{
    public DeletePlatformUserCommandValidator() => RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
}

public sealed class DeletePlatformUserCommandHandler : IRequestHandler<DeletePlatformUserCommand, Unit>
{
    private readonly PlatformUserAccess _access;
    private readonly IOperatorAccounts _accounts;

    public DeletePlatformUserCommandHandler(PlatformUserAccess access, IOperatorAccounts accounts)
    {
        _access = access;
        _accounts = accounts;
    }

    public async Task<Unit> Handle(DeletePlatformUserCommand command, CancellationToken ct)
    {
        var user = await _access.UserAsync(command.UserId, ct);
        if (_access.IsCaller(user.Id)) throw new ConflictException("You cannot delete your own account; ask another platform admin.");
        if (!await _accounts.DeleteAsync(user.Id, ct)) throw new NotFoundException("User", command.UserId);
        return Unit.Value;
    }
}
