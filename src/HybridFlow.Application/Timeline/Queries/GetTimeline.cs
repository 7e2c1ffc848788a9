using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Timeline.Queries;

/// <summary>A session's messages and actions, oldest first, paged.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record GetTimelineQuery(long? TenantId, long? SessionId, int Page = 1, int PageSize = Paging.DefaultPageSize)
    : IRequest<PagedResult<TimelineItemDto>>;

public sealed class GetTimelineQueryValidator : AbstractValidator<GetTimelineQuery>
{
    public GetTimelineQueryValidator()
    {
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(q => q.SessionId).NotNull().WithMessage("session_id is required.").GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(q => q.Page).InclusiveBetween(1, Paging.MaxPage).OverridePropertyName("page");
        RuleFor(q => q.PageSize).InclusiveBetween(1, Paging.MaxPageSize).OverridePropertyName("page_size");
    }
}

public sealed class GetTimelineQueryHandler : IRequestHandler<GetTimelineQuery, PagedResult<TimelineItemDto>>
{
    private readonly ITimelineQueries _timeline;
    private readonly ICurrentCaller _caller;

    public GetTimelineQueryHandler(ITimelineQueries timeline, ICurrentCaller caller)
    {
        _timeline = timeline;
        _caller = caller;
    }

    public async Task<PagedResult<TimelineItemDto>> Handle(GetTimelineQuery query, CancellationToken ct)
    {
        var sessionId = query.SessionId!.Value;
        var tenant = _caller.TenantFilter(query.TenantId);
        var owner = await _timeline.TenantOfSessionAsync(sessionId, ct);
        if (owner is null || (tenant is not null && owner != tenant)) throw new NotFoundException("Session", sessionId);
        var (items, total) = await _timeline.PageAsync(sessionId, query.Page, query.PageSize, ct);
        return new PagedResult<TimelineItemDto>(items, query.Page, query.PageSize, total);
    }
}
