using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Sessions;
using MediatR;

namespace HybridFlow.Application.Sessions.Queries;

/// <summary>
/// Sessions, newest activity first, optionally of one tenant, in one state, and paused for one reason
/// (<c>pause_reason=handoff_requested</c>: the chats waiting for a person).
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListSessionsQuery(long? TenantId, string? State, int Page = 1, int PageSize = Paging.DefaultPageSize, string? PauseReason = null)
    : IRequest<PagedResult<SessionDto>>;

public sealed class ListSessionsQueryValidator : AbstractValidator<ListSessionsQuery>
{
    public ListSessionsQueryValidator()
    {
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(q => q.State).Must(s => s is null || SessionStates.All.Contains(s))
            .WithMessage($"state must be one of: {string.Join(", ", SessionStates.All)}.").OverridePropertyName("state");
        RuleFor(q => q.PauseReason).Must(r => r is null || PauseReasonNames.All.Contains(r))
            .WithMessage($"pause_reason must be one of: {string.Join(", ", PauseReasonNames.All)}.").OverridePropertyName("pause_reason");
        RuleFor(q => q.State).Must(s => s is null or SessionStates.Paused).When(q => q.PauseReason is not null)
            .WithMessage("pause_reason lists paused chats: leave state out or set it to paused.").OverridePropertyName("state");
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
        var (items, total) = await _sessions.ListAsync(tenant, filter, query.Page, query.PageSize, ct, query.PauseReason);
        return new PagedResult<SessionDto>(items, query.Page, query.PageSize, total);
    }
}
