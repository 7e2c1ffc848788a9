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
    private readonly IPasswordLinks _links;
    private readonly TimeProvider _time;

    public ListPlatformUsersQueryHandler(IOperatorAccounts accounts, IPasswordLinks links, TimeProvider time)
    {
        _accounts = accounts;
        _links = links;
        _time = time;
    }

    public async Task<UserListDto> Handle(ListPlatformUsersQuery query, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        return await UserListItemDto.ListAsync(await _accounts.ListPlatformAsync(ct), _links, now, ct);
    }
}
