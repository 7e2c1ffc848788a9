using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Handoffs;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Handoffs;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Webhooks.Conversation;

/// <summary>
/// A customer's message, whichever channel brought it (Evolution or the Cloud API): stored on the group-commit path and
/// decided by the same state machine, with the same guarantees (docs/ARCHITECTURE.md section 2). hasMedia:
/// a voice note or photo the reply job may fetch (answered in AI mode even without text).
/// </summary>
public sealed class CustomerMessages
{
    private readonly IChatUnitOfWork _chats;
    private readonly IReplyWorkerSignal _workers;
    private readonly ICorrelationContext _correlation;
    private readonly IHybridFlowMetrics _metrics;

    public CustomerMessages(IChatUnitOfWork chats, IReplyWorkerSignal workers, ICorrelationContext correlation, IHybridFlowMetrics metrics)
    {
        _chats = chats;
        _workers = workers;
        _correlation = correlation;
        _metrics = metrics;
    }

    /// <summary>Stores <paramref name="message"/> (its <see cref="NewChatMessage.SentAt"/> is WhatsApp's time) and answers the action taken.</summary>
    public async Task<string> RecordAsync(InstanceContext instance, string chatId, NewChatMessage message, bool hasMedia, DateTimeOffset now, CancellationToken ct)
    {
        var recorded = await _chats.RecordCustomerMessageAsync(
            instance, chatId, message, now,
            (chat, appended, token) => DecideAsync(instance, chatId, message.Text, hasMedia, chat, appended, message.SentAt, now, token), ct);
        if (recorded.ReplyQueued) _workers.JobQueued();
        // Counted once committed: the unit of work may run the decision more than once.
        if (recorded.Action == TimelineActions.HandoffRequested) _metrics.HandoffRequested(HandoffRequests.KeywordTrigger);
        else if (recorded.Action is TimelineActions.AwayMessageSent or TimelineActions.IgnoredOutsideHours) _metrics.OutsideHours(recorded.Action);
        return recorded.Action;
    }

    private sealed record CustomerMessageRecorded(string Action, bool ReplyQueued);

    /// <summary>What a customer's message does to its chat. The unit of work may run it more than once, so it acts only through the chat.</summary>
    private async Task<CustomerMessageRecorded> DecideAsync(
        InstanceContext instance, string chatId, string? text, bool hasMedia, ILockedChat chat, MessageAppendResult appended, DateTimeOffset sentAt,
        DateTimeOffset now, CancellationToken ct)
    {
        if (appended.IsDuplicate) return new CustomerMessageRecorded(TimelineActions.DuplicateIgnored, ReplyQueued: false);
        var policy = instance.Tenant;

        // The timeline records what happened to the message; the webhook answers auto_resumed for a resumed chat that gets a reply.
        string recorded;
        string? detail = null;
        var resumed = false;
        var queued = false;
        // A redelivery after an outage is not answered as if it were new (a tenant in mode off answers nothing anyway).
        TimeSpan? staleAfter = policy.ReplyMode == ReplyMode.Off ? null : policy.Conversation.StaleMessageAfter;
        if (text is null && !(hasMedia && policy.ReplyMode == ReplyMode.Ai))
        {
            // Stickers, documents without caption, media for a workflow: kept for the timeline, not answered.
            // A voice note or photo for the model is understood by the reply job (MediaPreparation), not here.
            chat.Session.ReceiveUnansweredMessage(sentAt, now);
            recorded = TimelineActions.IgnoredUnsupported;
        }
        else if (policy.ReplyMode == ReplyMode.Ai && HandoffKeywordMatcher.FindMatch(text, policy.Conversation.HandoffKeywords) is { } phrase)
        {
            // Asking for a person wins over business hours: the handoff message goes out at any hour.
            var decision = chat.Session.ReceiveHandoffRequest(sentAt, now, policy.QuietPeriod, staleAfter);
            if (decision == SessionOutcome.IgnoredStale) (recorded, detail) = StaleMessage(sentAt, now);
            else if (decision == SessionOutcome.HandoffRequested)
            {
                await HandoffRequests.ApplyAsync(chat, instance, chatId, HandoffRequests.KeywordTrigger, phrase, appended.MessageId, now,
                    _correlation.CorrelationId, ct);
                return new CustomerMessageRecorded(TimelineActions.HandoffRequested, ReplyQueued: true);
            }
            else recorded = TimelineActions.IgnoredPaused;
        }
        else if (chat.Session.ReceiveCustomerMessage(sentAt, now, policy.QuietPeriod, staleAfter) is var decision
                 && decision == SessionOutcome.IgnoredStale)
        {
            (recorded, detail) = StaleMessage(sentAt, now);
        }
        else
        {
            resumed = decision == SessionOutcome.AutoResumedAndReply;
            if (resumed)
                await chat.AddTimelineEventAsync(TimelineActions.AutoResumed, "quiet period over; customer wrote", appended.MessageId, now, ct);

            if (!decision.RequiresReply()) recorded = TimelineActions.IgnoredPaused;
            else if (policy.ReplyMode == ReplyMode.Off) recorded = TimelineActions.Recorded;
            else if (await DecideOutsideHoursAsync(instance, chat, appended.MessageId!.Value, now, ct) is { } outsideHours)
            {
                (recorded, detail) = outsideHours;
                queued = recorded == TimelineActions.AwayMessageSent;
            }
            else
            {
                await chat.EnqueueReplyAsync(appended.MessageId!.Value, now + policy.Debounce, now, _correlation.CorrelationId, ct);
                queued = true;
                recorded = QueuedAction(policy);
            }
        }

        await chat.AddTimelineEventAsync(recorded, detail, appended.MessageId, now, ct);
        return new CustomerMessageRecorded(resumed && queued ? TimelineActions.AutoResumed : recorded, queued);
    }

    /// <summary>
    /// Outside business hours with outside_hours away_message or silent: answers the action taken instead of a reply
    /// (the away message queued once per closed period, or nothing); null when open or set to reply as usual.
    /// </summary>
    private async Task<(string Action, string Detail)?> DecideOutsideHoursAsync(InstanceContext instance, ILockedChat chat, long messageId, DateTimeOffset now, CancellationToken ct)
    {
        var settings = instance.Tenant.Conversation;
        if (settings.OutsideHours == OutsideHoursPolicy.Reply || settings.BusinessHours is null) return null;
        var closedSince = BusinessHoursSchedule.For(settings).ClosedSince(now);
        if (closedSince is null) return null;
        if (settings.OutsideHours == OutsideHoursPolicy.Silent) return (TimelineActions.IgnoredOutsideHours, TimelineDetails.Format(TimelineDetails.OutsideHoursSilent));

        if (chat.Session.ReceiveOutsideHours(closedSince.Value, now) != SessionOutcome.AwayMessageDue)
            return (TimelineActions.IgnoredOutsideHours, TimelineDetails.Format(TimelineDetails.OutsideHoursAwayAlreadySent));
        var away = ReplyJob.QueueNotice(chat.Session.TenantId, chat.Session.Id, ReplyJobKind.AwayNotice, settings.EffectiveAwayMessage, now);
        await chat.EnqueueNoticeAsync(away, messageId, _correlation.CorrelationId, ct);
        return (TimelineActions.AwayMessageSent, TimelineDetails.Format(TimelineDetails.OutsideHoursAwayQueued));
    }

    private static (string Action, string Detail) StaleMessage(DateTimeOffset sentAt, DateTimeOffset now) =>
        (TimelineActions.IgnoredStale, TimelineDetails.Format(TimelineDetails.StaleMessage, ("minutes", (int)(now - sentAt).TotalMinutes)));

    private static string QueuedAction(TenantPolicy tenant) =>
        tenant.ReplyMode == ReplyMode.Workflow ? TimelineActions.WorkflowQueued : TimelineActions.AiQueued;
}
