using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Sessions;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Sessions;

/// <summary>
/// A person wrote in the chat: the owner by hand, another client of the instance, or an agent through
/// send-message. One rule for all of them, so that they silence the bot in exactly the same way.
/// </summary>
public static class HumanTakeover
{
    /// <summary>Applies the owner-message transition, cancels replies not yet sent, records the timeline; answers the action.</summary>
    public static async Task<string> ApplyAsync(
        IChatWork chat, TenantPolicy tenant, long? messageId, DateTimeOffset sentAt, DateTimeOffset now, string detail, CancellationToken ct)
    {
        var decision = chat.Session.ReceiveOwnerMessage(sentAt, now, tenant.QuietPeriod);
        if (decision.SilencesBot())
        {
            await chat.AcknowledgeUnknownSendsAsync("a person took the chat over", now, ct);
            var cancelled = await chat.CancelUnsentRepliesAsync(CancelledReplies.TakeoverReason, now, ct);
            if (cancelled > 0)
                await chat.AddTimelineEventAsync(CancelledReplies.Action(tenant), CancelledReplies.Detail(cancelled, CancelledReplies.TakeoverReason), messageId, now, ct);
        }

        var action = decision == SessionOutcome.StaleOwnerMessage ? TimelineActions.Recorded : TimelineActions.Paused;
        await chat.AddTimelineEventAsync(action, detail, messageId, now, ct);
        return action;
    }
}
