using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>The logged-in person, with a fresh CSRF token. An API key is no person: 401.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record GetMeQuery : IRequest<UserDto>;

public sealed class GetMeQueryHandler : IRequestHandler<GetMeQuery, UserDto>
{
    private readonly ICurrentCaller _caller;
    private readonly IOperatorAccounts _accounts;
    private readonly IBrowserSession _session;
    private readonly TimeProvider _time;

    public GetMeQueryHandler(ICurrentCaller caller, IOperatorAccounts accounts, IBrowserSession session, TimeProvider time)
    {
        _caller = caller;
        _accounts = accounts;
        _session = session;
        _time = time;
    }

    public async Task<UserDto> Handle(GetMeQuery query, CancellationToken ct)
    {
        var account = _caller.UserId is { } id ? await _accounts.FindAsync(id, ct) : null;
        if (account is null) throw new AuthenticationFailedException("Not logged in.");
        _session.RefreshCsrfToken();
        return UserDto.From(account, _time.GetUtcNow());
    }
}
