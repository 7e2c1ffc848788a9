using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Inbox.Queries;

/// <summary>GET /api/inbox/assignees: the users a tenant's conversations can be assigned to (the platform admin names the tenant).</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListAssigneesQuery(long? TenantId) : IRequest<AssigneeListDto>;

public sealed class ListAssigneesQueryValidator : AbstractValidator<ListAssigneesQuery>
{
    public ListAssigneesQueryValidator() =>
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
}

public sealed class ListAssigneesQueryHandler : IRequestHandler<ListAssigneesQuery, AssigneeListDto>
{
    private readonly ICurrentCaller _caller;
    private readonly IInboxQueries _inbox;
    private readonly ITenantStore _tenants;

    public ListAssigneesQueryHandler(ICurrentCaller caller, IInboxQueries inbox, ITenantStore tenants)
    {
        _caller = caller;
        _inbox = inbox;
        _tenants = tenants;
    }

    public async Task<AssigneeListDto> Handle(ListAssigneesQuery query, CancellationToken ct)
    {
        var tenant = _caller.TenantFilter(query.TenantId)
                     ?? throw new RequestValidationException("tenant_id", "tenant_id is required: assignees are the users of one tenant.");
        if (await _tenants.FindAsync(tenant, ct) is null) throw new NotFoundException("Tenant", tenant);
        return new AssigneeListDto(await _inbox.AssigneesAsync(tenant, ct));
    }
}
