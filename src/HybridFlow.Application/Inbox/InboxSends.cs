using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Messages.Commands;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Inbox;
using MediatR;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// What every send from the inbox does, a text or a template: send-message as agent (a takeover: the bot pauses, unsent
/// replies are cancelled) with the person as the message's sender, and an unassigned conversation becomes theirs.
/// </summary>
public sealed class InboxSends
{
    private readonly ConversationAccess _access;
    private readonly IMediator _mediator;
    private readonly IInboxStore _store;
    private readonly TimeProvider _time;

    public InboxSends(ConversationAccess access, IMediator mediator, IInboxStore store, TimeProvider time)
    {
        _access = access;
        _mediator = mediator;
        _store = store;
        _time = time;
    }

    /// <summary>
    /// Sends what <paramref name="send"/> makes of the visible conversation and its sender; <paramref name="check"/>
    /// runs first, on the conversation, and may refuse it.
    /// </summary>
    public async Task<InboxMessageSentDto> SendAsync(
        long sessionId, Func<ConversationDto, InboxSender, SendMessageCommand> send, CancellationToken ct,
        Func<ConversationDto, Task>? check = null)
    {
        var conversation = await _access.RequireVisibleAsync(sessionId, ct);
        if (check is not null) await check(conversation);
        var user = await _access.CurrentUserAsync(ct);
        var sender = user is null ? new InboxSender(null, (await _access.CurrentPersonAsync(ct)).DisplayName) : new InboxSender(user.Id, user.DisplayName);
        var sent = await _mediator.Send(send(conversation, sender), ct);

        // The platform admin is nobody's colleague: a conversation is only ever assigned to a user of its tenant.
        if (user is { TenantId: { } tenant } && tenant == conversation.TenantId) await TakeOverAsync(conversation.SessionId, user, ct);
        return new InboxMessageSentDto(await _access.RequireVisibleAsync(sessionId, ct), sent.ProviderMessageId);
    }

    private async Task TakeOverAsync(long sessionId, InboxUser user, CancellationToken ct)
    {
        // Not found: taken by someone else meanwhile, out of this caller's sight.
        await _store.UpdateConversationAsync(_access.Scope(), sessionId, async (work, ct) =>
        {
            if (work.Conversation.TakeOver(user.Id) != ConversationOutcome.Assigned) return false;
            await work.AddTimelineEventAsync(TimelineActions.Assigned, TimelineDetails.Format(TimelineDetails.AssignedOnTakeover, ("name", user.DisplayName)), _time.GetUtcNow(), ct);
            return true;
        }, ct);
    }
}
