using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.SavedReplies.Queries;

/// <summary>GET /api/inbox/saved-replies: what the composer offers after "/" (the platform admin names the tenant).</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListInboxSavedRepliesQuery(long? TenantId) : IRequest<SavedReplyListDto>;

public sealed class ListInboxSavedRepliesQueryValidator : AbstractValidator<ListInboxSavedRepliesQuery>
{
    public ListInboxSavedRepliesQueryValidator() =>
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
}

public sealed class ListInboxSavedRepliesQueryHandler : IRequestHandler<ListInboxSavedRepliesQuery, SavedReplyListDto>
{
    private readonly ICurrentCaller _caller;
    private readonly ISavedReplyStore _replies;
    private readonly ITenantStore _tenants;

    public ListInboxSavedRepliesQueryHandler(ICurrentCaller caller, ISavedReplyStore replies, ITenantStore tenants)
    {
        _caller = caller;
        _replies = replies;
        _tenants = tenants;
    }

    public async Task<SavedReplyListDto> Handle(ListInboxSavedRepliesQuery query, CancellationToken ct)
    {
        // A tenant's own callers always get their tenant's; the platform admin says which tenant.
        var tenant = _caller.TenantFilter(query.TenantId)
                     ?? throw new RequestValidationException("tenant_id", "tenant_id is required: saved replies belong to one tenant.");
        if (await _tenants.FindAsync(tenant, ct) is null) throw new NotFoundException("Tenant", tenant);
        return new SavedReplyListDto(await _replies.ListAsync(tenant, ct));
    }
}
