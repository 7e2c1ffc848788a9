using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>The platform admin ends every login of a platform admin user at once.</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record EndPlatformUserLoginSessionsCommand(long UserId) : IRequest<Unit>;

public sealed class EndPlatformUserLoginSessionsCommandValidator : AbstractValidator<EndPlatformUserLoginSessionsCommand>
{
    public EndPlatformUserLoginSessionsCommandValidator() => RuleFor(c => c.UserId).GreaterThan(0).OverridePropertyName("user_id");
}

public sealed class EndPlatformUserLoginSessionsCommandHandler : IRequestHandler<EndPlatformUserLoginSessionsCommand, Unit>
{
    private readonly PlatformUserAccess _access;
    private readonly ILoginSessionStore _sessions;

    public EndPlatformUserLoginSessionsCommandHandler(PlatformUserAccess access, ILoginSessionStore sessions)
    {
        _access = access;
        _sessions = sessions;
    }

    public async Task<Unit> Handle(EndPlatformUserLoginSessionsCommand command, CancellationToken ct)
    {
        var user = await _access.UserAsync(command.UserId, ct);
        await _sessions.EndAllAsync(user.Id, ct);
        return Unit.Value;
    }
}
