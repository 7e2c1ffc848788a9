using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>Ends one of the logged-in person's own logins (the current one too); another person's id answers 404.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record EndMyLoginSessionCommand(long SessionId) : IRequest<Unit>;

public sealed class EndMyLoginSessionCommandHandler : IRequestHandler<EndMyLoginSessionCommand, Unit>
{
    private readonly ICurrentCaller _caller;
    private readonly ILoginSessionStore _sessions;

    public EndMyLoginSessionCommandHandler(ICurrentCaller caller, ILoginSessionStore sessions)
    {
        _caller = caller;
        _sessions = sessions;
    }

    public async Task<Unit> Handle(EndMyLoginSessionCommand command, CancellationToken ct)
    {
        var userId = _caller.UserId ?? throw new AuthenticationFailedException("Not logged in.");
        if (!await _sessions.EndAsync(userId, command.SessionId, ct)) throw new NotFoundException("Session", command.SessionId);
        return Unit.Value;
    }
}
