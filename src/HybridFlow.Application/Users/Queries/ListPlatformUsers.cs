using HybridFlow.Application.Common.Interfaces;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>The users without a tenant (platform admins), oldest first; platform admin only.</summary>
public sealed record ListPlatformUsersQuery : IRequest<UserListDto>;

public sealed class ListPlatformUsersQueryHandler : IRequestHandler<ListPlatformUsersQuery, UserListDto>
{
    private readonly PlatformUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly TimeProvider _time;

    public ListPlatformUsersQueryHandler(PlatformUserAccess access, IOperatorAccounts accounts, TimeProvider time)
    {
        _access = access;
        _accounts = accounts;
        _time = time;
    }

    public async Task<UserListDto> Handle(ListPlatformUsersQuery query, CancellationToken ct)
    {
        _access.EnsurePlatformAdmin();
        var now = _time.GetUtcNow();
        return new UserListDto([.. (await _accounts.ListPlatformAsync(ct)).Select(a => UserDto.From(a, now))]);
    }
}
