using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Sessions.Commands;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>POST /api/inbox/conversations/{session_id}/resume: the sessions' own resume (the bot answers again).</summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ResumeConversationCommand(long SessionId) : IRequest<ConversationDto>;

public sealed class ResumeConversationCommandValidator : AbstractValidator<ResumeConversationCommand>
{
    public ResumeConversationCommandValidator() => RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
}

public sealed class ResumeConversationCommandHandler : IRequestHandler<ResumeConversationCommand, ConversationDto>
{
    private readonly ConversationAccess _access;
    private readonly IMediator _mediator;

    public ResumeConversationCommandHandler(ConversationAccess access, IMediator mediator)
    {
        _access = access;
        _mediator = mediator;
    }

    public async Task<ConversationDto> Handle(ResumeConversationCommand c, CancellationToken ct)
    {
        var conversation = await _access.RequireVisibleAsync(c.SessionId, ct);
        await _mediator.Send(new ResumeSessionCommand(SessionLocator.ById(conversation.SessionId, conversation.TenantId)), ct);
        return await _access.RequireVisibleAsync(c.SessionId, ct);
    }
}
