using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>Whether someone is logged in, and who (with a fresh CSRF token). Not logged in is an answer, not an error.</summary>
public sealed record AuthSessionDto(bool Authenticated, UserDto? User);

/// <summary>
/// The web app's first question. Unlike <see cref="GetMeQuery"/>, which is 401 when no one is logged in, this answers
/// <c>authenticated: false</c>, so a logged-out page load shows no failed request. An API key is no person: false.
/// </summary>
[AllowAnonymousCaller]
public sealed record GetAuthSessionQuery : IRequest<AuthSessionDto>;

public sealed class GetAuthSessionQueryHandler : IRequestHandler<GetAuthSessionQuery, AuthSessionDto>
{
    private readonly ICurrentCaller _caller;
    private readonly IOperatorAccounts _accounts;
    private readonly IBrowserSession _session;
    private readonly TimeProvider _time;

    public GetAuthSessionQueryHandler(ICurrentCaller caller, IOperatorAccounts accounts, IBrowserSession session, TimeProvider time)
    {
        _caller = caller;
        _accounts = accounts;
        _session = session;
        _time = time;
    }

    public async Task<AuthSessionDto> Handle(GetAuthSessionQuery query, CancellationToken ct)
    {
        var account = _caller.UserId is { } id ? await _accounts.FindAsync(id, ct) : null;
        if (account is null) return new AuthSessionDto(false, null);
        _session.RefreshCsrfToken();
        return new AuthSessionDto(true, UserDto.From(account, _time.GetUtcNow()));
    }
}
