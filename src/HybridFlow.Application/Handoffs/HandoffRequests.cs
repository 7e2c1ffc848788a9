using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Sessions;
using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Handoffs;

/// <summary>
/// What follows once the session has been paused for a person (<c>SessionOutcome.HandoffRequested</c>), whether the
/// customer's keyword or the model's request_human asked: the replies not yet sent are cancelled, the handoff message
/// is queued as a notice, the timeline records the trigger and the reason, and the tenant's notify_url gets a signed POST
/// through the outbox. All of it in the chat's own transaction.
/// </summary>
public static class HandoffRequests
{
    public const string KeywordTrigger = "keyword";
    public const string ModelTrigger = "model";
    /// <summary>The tenant's monthly token budget on the platform's model account is used up.</summary>
    public const string BudgetTrigger = "budget";

    public static async Task ApplyAsync(
        ILockedChat chat, InstanceContext instance, string chatId, string trigger, string reason, long? messageId, DateTimeOffset now,
        string? correlationId, CancellationToken ct)
    {
        var session = chat.Session;
        await chat.CancelRepliesForHandoffAsync(CancelledReplies.Action(instance.Tenant), CancelledReplies.HandoffReason, messageId, now, ct);
        var message = instance.Tenant.Conversation.EffectiveHandoffMessage;
        await chat.EnqueueNoticeAsync(ReplyJob.QueueNotice(session.TenantId, session.Id, ReplyJobKind.HandoffNotice, message, now), messageId, correlationId, ct);
        await chat.AddTimelineEventAsync(TimelineActions.HandoffRequested, Detail(trigger, reason), messageId, now, ct);
        if (instance.Tenant.Notify is { } target)
        {
            var requested = new HandoffRequestedEvent(
                HandoffRequestedEvent.Name, Guid.NewGuid().ToString("D"), session.TenantId, instance.InstanceName, chatId, session.Id, trigger, reason, now);
            await chat.EnqueueNotificationAsync(new HandoffNotification(target, requested), now, ct);
        }
    }

    private static string Detail(string trigger, string reason)
    {
        var detail = $"{trigger}: {reason}";
        return detail.Length <= 500 ? detail : detail[..500];
    }
}
