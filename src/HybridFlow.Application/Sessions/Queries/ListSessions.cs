using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Sessions.Queries;

/// <summary>Sessions, newest activity first, optionally of one tenant and in one state.</summary>
public sealed record ListSessionsQuery(long? TenantId, string? State, int Page = 1, int PageSize = Paging.DefaultPageSize)
    : IRequest<PagedResult<SessionDto>>;

public sealed class ListSessionsQueryValidator : AbstractValidator<ListSessionsQuery>
{
    public ListSessionsQueryValidator()
    {
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(q => q.State).Must(s => s is null || SessionStates.All.Contains(s))
            .WithMessage($"state must be one of: {string.Join(", ", SessionStates.All)}.").OverridePropertyName("state");
        RuleFor(q => q.Page).InclusiveBetween(1, Paging.MaxPage).OverridePropertyName("page");
        RuleFor(q => q.PageSize).InclusiveBetween(1, Paging.MaxPageSize).OverridePropertyName("page_size");
    }
}

public sealed class ListSessionsQueryHandler : IRequestHandler<ListSessionsQuery, PagedResult<SessionDto>>
{
    private readonly ISessionQueries _sessions;
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;

    public ListSessionsQueryHandler(ISessionQueries sessions, ITenantStore tenants, ICurrentCaller caller)
    {
        _sessions = sessions;
        _tenants = tenants;
        _caller = caller;
    }

    public async Task<PagedResult<SessionDto>> Handle(ListSessionsQuery query, CancellationToken ct)
    {
        var filter = query.State switch
        {
            SessionStates.Active => SessionFilter.Active,
            SessionStates.Paused => SessionFilter.Paused,
            SessionStates.NeedsAttention => SessionFilter.NeedsAttention,
            _ => SessionFilter.All,
        };
        var tenant = _caller.TenantFilter(query.TenantId);
        // A mistyped tenant_id says so instead of looking like a tenant without chats.
        if (query.TenantId is { } requested && await _tenants.FindAsync(requested, ct) is null) throw new NotFoundException("Tenant", requested);
        var (items, total) = await _sessions.ListAsync(tenant, filter, query.Page, query.PageSize, ct);
        return new PagedResult<SessionDto>(items, query.Page, query.PageSize, total);
    }
}
