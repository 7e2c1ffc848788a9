using FluentValidation;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Queries;

[RequiresRole(CallerRole.Agent)]
public sealed record ListInstancesQuery(long? TenantId) : IRequest<PagedResult<InstanceDto>>;

public sealed class ListInstancesQueryValidator : AbstractValidator<ListInstancesQuery>
{
    public ListInstancesQueryValidator() =>
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
}

public sealed class ListInstancesQueryHandler : IRequestHandler<ListInstancesQuery, PagedResult<InstanceDto>>
{
    private readonly IInstanceStore _instances;
    private readonly ICurrentCaller _caller;

    public ListInstancesQueryHandler(IInstanceStore instances, ICurrentCaller caller)
    {
        _instances = instances;
        _caller = caller;
    }

    public async Task<PagedResult<InstanceDto>> Handle(ListInstancesQuery query, CancellationToken ct)
    {
        var items = await _instances.ListAsync(_caller.TenantFilter(query.TenantId), ct);
        return new PagedResult<InstanceDto>([.. items.Select(i => i.AsSeenBy(_caller))], 1, Math.Max(items.Count, 1), items.Count);
    }
}
