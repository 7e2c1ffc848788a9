using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Users.Queries;

/// <summary>A tenant's users, oldest first (tenant_admin of the tenant or the platform admin).</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ListUsersQuery(long TenantId) : IRequest<UserListDto>, ITenantRequest;

public sealed class ListUsersQueryValidator : AbstractValidator<ListUsersQuery>
{
    public ListUsersQueryValidator() => RuleFor(q => q.TenantId).GreaterThan(0).OverridePropertyName("tenant_id");
}

public sealed class ListUsersQueryHandler : IRequestHandler<ListUsersQuery, UserListDto>
{
    private readonly TenantUserAccess _access;
    private readonly IOperatorAccounts _accounts;
    private readonly IPasswordLinks _links;
    private readonly TimeProvider _time;

    public ListUsersQueryHandler(TenantUserAccess access, IOperatorAccounts accounts, IPasswordLinks links, TimeProvider time)
    {
        _access = access;
        _accounts = accounts;
        _links = links;
        _time = time;
    }

    public async Task<UserListDto> Handle(ListUsersQuery query, CancellationToken ct)
    {
        await _access.EnsureTenantExistsAsync(query.TenantId, ct);
        var now = _time.GetUtcNow();
        return await UserListItemDto.ListAsync(await _accounts.ListByTenantAsync(query.TenantId, ct), _links, now, ct);
    }
}
