using FluentValidation;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Messages.Commands;
using HybridFlow.Domain.Inbox;
using MediatR;

namespace HybridFlow.Application.Inbox.Commands;

/// <summary>
/// POST /api/inbox/conversations/{session_id}/messages: the logged-in person writes to the customer. It is send-message as
/// agent (a takeover: the bot pauses, unsent replies are cancelled), with the person as the message's sender; an
/// unassigned conversation becomes theirs.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record SendInboxMessageCommand(long SessionId, string? Text) : IRequest<InboxMessageSentDto>;

public sealed class SendInboxMessageCommandValidator : AbstractValidator<SendInboxMessageCommand>
{
    public SendInboxMessageCommandValidator()
    {
        RuleFor(c => c.SessionId).GreaterThan(0).OverridePropertyName("session_id");
        RuleFor(c => c.Text)
            .Must(t => !string.IsNullOrWhiteSpace(t)).WithMessage("text is required and may not be blank.")
            .MaximumLength(InboxLimits.TextMax)
            .OverridePropertyName("text");
    }
}

public sealed class SendInboxMessageCommandHandler : IRequestHandler<SendInboxMessageCommand, InboxMessageSentDto>
{
    private readonly ConversationAccess _access;
    private readonly IMediator _mediator;
    private readonly IInboxStore _store;
    private readonly TimeProvider _time;

    public SendInboxMessageCommandHandler(ConversationAccess access, IMediator mediator, IInboxStore store, TimeProvider time)
    {
        _access = access;
        _mediator = mediator;
        _store = store;
        _time = time;
    }

    public async Task<InboxMessageSentDto> Handle(SendInboxMessageCommand c, CancellationToken ct)
    {
        var conversation = await _access.RequireVisibleAsync(c.SessionId, ct);
        var user = await _access.CurrentUserAsync(ct);
        var sender = user is null ? new InboxSender(null, (await _access.CurrentPersonAsync(ct)).DisplayName) : new InboxSender(user.Id, user.DisplayName);
        var sent = await _mediator.Send(
            new SendMessageCommand(conversation.InstanceName, conversation.ChatId, null, c.Text, SendAsNames.Agent) { SentBy = sender }, ct);

        // The platform admin is nobody's colleague: a conversation is only ever assigned to a user of its tenant.
        if (user is { TenantId: { } tenant } && tenant == conversation.TenantId) await TakeOverAsync(conversation.SessionId, user, ct);
        return new InboxMessageSentDto(await _access.RequireVisibleAsync(c.SessionId, ct), sent.ProviderMessageId);
    }

    private async Task TakeOverAsync(long sessionId, InboxUser user, CancellationToken ct)
    {
        // Not found: taken by someone else meanwhile, out of this caller's sight.
        await _store.UpdateConversationAsync(_access.Scope(), sessionId, async (work, ct) =>
        {
            if (work.Conversation.TakeOver(user.Id) != ConversationOutcome.Assigned) return false;
            await work.AddTimelineEventAsync(TimelineActions.Assigned, $"to {user.DisplayName} (took the conversation over)", _time.GetUtcNow(), ct);
            return true;
        }, ct);
    }
}
