using HybridFlow.Application.Common.Interfaces;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>
/// Whether a login cookie issued with <paramref name="SecurityStamp"/> may go on: false once the user is deleted or an admin locked them,
/// or their role or password changed (each of those gives a new stamp).
/// </summary>
public sealed record CheckUserSessionQuery(long UserId, string? SecurityStamp) : IRequest<bool>;

public sealed class CheckUserSessionQueryHandler : IRequestHandler<CheckUserSessionQuery, bool>
{
    private readonly IOperatorAccounts _accounts;

    public CheckUserSessionQueryHandler(IOperatorAccounts accounts) => _accounts = accounts;

    public async Task<bool> Handle(CheckUserSessionQuery query, CancellationToken ct)
    {
        var account = await _accounts.FindAsync(query.UserId, ct);
        // Failed logins locking the account do not end a login already open (a guesser could log the owner out);
        // an admin's lock does, through the stamp.
        return account is not null && string.Equals(account.SecurityStamp, query.SecurityStamp, StringComparison.Ordinal);
    }
}
