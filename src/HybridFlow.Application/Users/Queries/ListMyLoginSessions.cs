using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>The logged-in person's own live logins, the current one marked. An API key is no person: 401.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListMyLoginSessionsQuery : IRequest<LoginSessionListDto>;

public sealed class ListMyLoginSessionsQueryHandler : IRequestHandler<ListMyLoginSessionsQuery, LoginSessionListDto>
{
    private readonly ICurrentCaller _caller;
    private readonly ILoginSessionStore _sessions;
    private readonly TimeProvider _time;

    public ListMyLoginSessionsQueryHandler(ICurrentCaller caller, ILoginSessionStore sessions, TimeProvider time)
    {
        _caller = caller;
        _sessions = sessions;
        _time = time;
    }

    public async Task<LoginSessionListDto> Handle(ListMyLoginSessionsQuery query, CancellationToken ct)
    {
        var userId = _caller.UserId ?? throw new AuthenticationFailedException("Not logged in.");
        var sessions = await _sessions.ListAsync(userId, _time.GetUtcNow(), ct);
        return new LoginSessionListDto([.. sessions.Select(s => LoginSessionDto.From(s, _caller.LoginSessionId))]);
    }
}
