using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using MediatR;

namespace HybridFlow.Application.Sessions.Queries;

/// <summary>One session, by id within a tenant or by instance and chat id.</summary>
public sealed record GetSessionQuery(SessionLocator Locator) : IRequest<SessionDto>;

public sealed class GetSessionQueryValidator : AbstractValidator<GetSessionQuery>
{
    public GetSessionQueryValidator() => RuleFor(q => q.Locator).SetValidator(new SessionLocatorValidator());
}

public sealed class GetSessionQueryHandler : IRequestHandler<GetSessionQuery, SessionDto>
{
    private readonly ISessionQueries _sessions;

    public GetSessionQueryHandler(ISessionQueries sessions) => _sessions = sessions;

    public async Task<SessionDto> Handle(GetSessionQuery query, CancellationToken ct) =>
        await _sessions.FindAsync(query.Locator, ct) ?? throw new NotFoundException("Session", query.Locator.Describe());
}
