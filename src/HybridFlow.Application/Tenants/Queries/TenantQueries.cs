using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Tenants.Queries;

[RequiresRole(CallerRole.Agent)]
public sealed record GetTenantQuery(long Id) : IRequest<TenantDto>, ITenantRequest
{
    long ITenantRequest.TenantId => Id;
}

[RequiresRole(CallerRole.Agent)]
public sealed record ListTenantsQuery(int Page = 1, int PageSize = Paging.DefaultPageSize) : IRequest<PagedResult<TenantDto>>;

public sealed class ListTenantsQueryValidator : AbstractValidator<ListTenantsQuery>
{
    public ListTenantsQueryValidator()
    {
        RuleFor(q => q.Page).InclusiveBetween(1, Paging.MaxPage).OverridePropertyName("page");
        RuleFor(q => q.PageSize).InclusiveBetween(1, Paging.MaxPageSize).OverridePropertyName("page_size");
    }
}

public sealed class TenantQueryHandlers :
    IRequestHandler<GetTenantQuery, TenantDto>,
    IRequestHandler<ListTenantsQuery, PagedResult<TenantDto>>
{
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;
    private readonly PlatformModels _models;

    public TenantQueryHandlers(ITenantStore tenants, ICurrentCaller caller, PlatformModels models)
    {
        _models = models;
        _tenants = tenants;
        _caller = caller;
    }

    public async Task<TenantDto> Handle(GetTenantQuery query, CancellationToken ct)
    {
        var tenant = await _tenants.FindAsync(query.Id, ct) ?? throw new NotFoundException("Tenant", query.Id);
        return _models.Describe(tenant).AsSeenBy(_caller);
    }

    public async Task<PagedResult<TenantDto>> Handle(ListTenantsQuery query, CancellationToken ct)
    {
        var (items, total) = await _tenants.ListAsync(_caller.TenantFilter(null), query.Page, query.PageSize, ct);
        return new PagedResult<TenantDto>([.. items.Select(t => _models.Describe(t).AsSeenBy(_caller))], query.Page, query.PageSize, total);
    }
}
