using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>The users without a tenant (platform admins), oldest first; platform admin only.</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record ListPlatformUsersQuery : IRequest<UserListDto>;

public sealed class ListPlatformUsersQueryHandler : IRequestHandler<ListPlatformUsersQuery, UserListDto>
{
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public ListPlatformUsersQueryHandler(IOperatorAccounts accounts, TimeProvider time)
    {
        _accounts = accounts;
        _time = time;
    }

    public async Task<UserListDto> Handle(ListPlatformUsersQuery query, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        return new UserListDto([.. (await _accounts.ListPlatformAsync(ct)).Select(a => UserDto.From(a, now))]);
    }
}
