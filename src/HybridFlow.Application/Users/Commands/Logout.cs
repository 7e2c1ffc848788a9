using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Commands;

/// <summary>Ends the login on the server (a copy of the cookie is dead too) and clears the cookie.</summary>
[AllowAnonymousCaller]
public sealed record LogoutCommand : IRequest<Unit>;

public sealed class LogoutCommandHandler : IRequestHandler<LogoutCommand, Unit>
{
    private readonly IBrowserSession _session;

    public LogoutCommandHandler(IBrowserSession session) => _session = session;

    public async Task<Unit> Handle(LogoutCommand command, CancellationToken ct)
    {
        await _session.SignOutAsync(ct);
        return Unit.Value;
    }
}
