using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>
/// Whether a login cookie issued with <paramref name="SecurityStamp"/> may go on: false once the user is deleted or an admin locked them,
/// or their role or password changed (each of those gives a new stamp), and, when <paramref name="LoginSessionId"/> is given, once that
/// login was ended (logout, or by the person or an admin) or expired.
/// </summary>
[AllowAnonymousCaller]
public sealed record CheckUserSessionQuery(long UserId, string? SecurityStamp, long? LoginSessionId = null) : IRequest<bool>;

public sealed class CheckUserSessionQueryHandler : IRequestHandler<CheckUserSessionQuery, bool>
{
    private readonly IOperatorAccounts _accounts;
    private readonly ILoginSessionStore _sessions;
    private readonly TimeProvider _time;

    public CheckUserSessionQueryHandler(IOperatorAccounts accounts, ILoginSessionStore sessions, TimeProvider time)
    {
        _accounts = accounts;
        _sessions = sessions;
        _time = time;
    }

    public async Task<bool> Handle(CheckUserSessionQuery query, CancellationToken ct)
    {
        // The stored login keeps the stamp it was issued with, and its liveness check compares it with the user's.
        if (query.LoginSessionId is { } session) return await _sessions.IsLiveAsync(query.UserId, session, _time.GetUtcNow(), ct);
        var account = await _accounts.FindAsync(query.UserId, ct);
        // Failed logins locking the account do not end a login already open (a guesser could log the owner out);
        // an admin's lock does, through the stamp.
        return account is not null && string.Equals(account.SecurityStamp, query.SecurityStamp, StringComparison.Ordinal);
    }
}
