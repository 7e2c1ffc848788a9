using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>An admin ends every login of a tenant's user at once (the tenant's tenant_admin, or the platform admin).</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record EndUserLoginSessionsCommand(long TenantId, long UserId) : IRequest<Unit>, ITenantRequest;

public sealed class EndUserLoginSessionsCommandValidator : AbstractValidator<EndUserLoginSessionsCommand>
{
    public EndUserLoginSessionsCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
        RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
    }
}

public sealed class EndUserLoginSessionsCommandHandler : IRequestHandler<EndUserLoginSessionsCommand, Unit>
{
    private readonly TenantUserAccess _access;
    private readonly ILoginSessionStore _sessions;

    public EndUserLoginSessionsCommandHandler(TenantUserAccess access, ILoginSessionStore sessions)
    {
        _access = access;
        _sessions = sessions;
    }

    public async Task<Unit> Handle(EndUserLoginSessionsCommand command, CancellationToken ct)
    {
        var user = await _access.UserOfAsync(command.TenantId, command.UserId, ct);
        await _sessions.EndAllAsync(user.Id, ct);
        return Unit.Value;
    }
}
