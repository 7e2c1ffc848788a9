using FluentValidation;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Inbox.Queries;

/// <summary>GET /api/inbox/conversations/{session_id}.</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record GetConversationQuery(long SessionId) : IRequest<ConversationDto>;

public sealed class GetConversationQueryValidator : AbstractValidator<GetConversationQuery>
{
    public GetConversationQueryValidator() => RuleFor(q => q.SessionId).GreaterThan(0).OverridePropertyName("session_id");
}

public sealed class GetConversationQueryHandler : IRequestHandler<GetConversationQuery, ConversationDto>
{
    private readonly ConversationAccess _access;

    public GetConversationQueryHandler(ConversationAccess access) => _access = access;

    public Task<ConversationDto> Handle(GetConversationQuery query, CancellationToken ct) => _access.RequireVisibleAsync(query.SessionId, ct);
}
