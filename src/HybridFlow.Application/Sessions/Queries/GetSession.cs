using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Sessions.Queries;

/// <summary>One session, by id within a tenant or by instance and chat id.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record GetSessionQuery(SessionLocator Locator) : IRequest<SessionDto>;

public sealed class GetSessionQueryValidator : AbstractValidator<GetSessionQuery>
{
    public GetSessionQueryValidator() => RuleFor(q => q.Locator).SetValidator(new SessionLocatorValidator());
}

public sealed class GetSessionQueryHandler : IRequestHandler<GetSessionQuery, SessionDto>
{
    private readonly ISessionQueries _sessions;
    private readonly ICurrentCaller _caller;

    public GetSessionQueryHandler(ISessionQueries sessions, ICurrentCaller caller)
    {
        _sessions = sessions;
        _caller = caller;
    }

    public async Task<SessionDto> Handle(GetSessionQuery query, CancellationToken ct)
    {
        var locator = query.Locator.Within(_caller.TenantFilter(query.Locator.TenantId));
        return await _sessions.FindAsync(locator, ct) ?? throw new NotFoundException("Session", locator.Describe());
    }
}
