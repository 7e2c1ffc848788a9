using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>Deletes a tenant's user; their open logins end and their conversations become unassigned. Not oneself (409).</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record DeleteUserCommand(long TenantId, long UserId) : IRequest<Unit>, ITenantRequest;

public sealed class DeleteUserCommandValidator : AbstractValidator<DeleteUserCommand>
{
    public DeleteUserCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
    }
}

public sealed class DeleteUserCommandHandler : IRequestHandler<DeleteUserCommand, Unit>
{
    private readonly TenantUserAccess _access;
    private readonly IOperatorAccounts _accounts;

    public DeleteUserCommandHandler(TenantUserAccess access, IOperatorAccounts accounts)
    {
        _access = access;
        _accounts = accounts;
    }

    public async Task<Unit> Handle(DeleteUserCommand command, CancellationToken ct)
    {
        var user = await _access.UserOfAsync(command.TenantId, command.UserId, ct);
        if (_access.IsCaller(user.Id)) throw new ConflictException("You cannot delete your own account; ask another tenant admin.");
        if (!await _accounts.DeleteAsync(user.Id, ct)) throw new NotFoundException("User", command.UserId);
        return Unit.Value;
    }
}
