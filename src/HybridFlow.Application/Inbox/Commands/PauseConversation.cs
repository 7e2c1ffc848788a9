using FluentValidation;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Sessions.Commands;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// POST /api/inbox/conversations/{session_id}/pause: the sessions' own pause (for <paramref name="Minutes"/>, for the
/// tenant's quiet period when <paramref name="For"/> says so, or until resumed).
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record PauseConversationCommand(long SessionId, int? Minutes, string? For = null) : IRequest<ConversationDto>;

public sealed class PauseConversationCommandValidator : AbstractValidator<PauseConversationCommand>
{
    public PauseConversationCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Minutes).InclusiveBetween(1, 525_600).When(c => c.Minutes is not null).OverridePropertyName("minutes");
        PauseLengthRules.Add(this, c => c.Minutes, c => c.For);
    }
}

public sealed class PauseConversationCommandHandler : IRequestHandler<PauseConversationCommand, ConversationDto>
{
    private readonly ConversationAccess _access;
    private readonly IMediator _mediator;

    public PauseConversationCommandHandler(ConversationAccess access, IMediator mediator)
    {
        _access = access;
        _mediator = mediator;
    }

    public async Task<ConversationDto> Handle(PauseConversationCommand c, CancellationToken ct)
    {
        var conversation = await _access.RequireVisibleAsync(c.SessionId, ct);
        await _mediator.Send(new PauseSessionCommand(SessionLocator.ById(conversation.SessionId, conversation.TenantId), c.Minutes, c.For), ct);
        return await _access.RequireVisibleAsync(c.SessionId, ct);
    }
}
