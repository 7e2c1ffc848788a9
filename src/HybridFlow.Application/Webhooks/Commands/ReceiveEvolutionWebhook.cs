using System.Text.Json;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Handoffs;
using HybridFlow.Application.Sessions;
using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Handoffs;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using HybridFlow.Domain.Tenants;
using MediatR;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks.Commands;

/// <summary>
/// An Evolution webhook delivery: the body as it arrives (<paramref name="BodyLength"/> when declared) and the address it came
/// from, so that it is read only as far as the caller has proved itself (see <see cref="WebhookAdmission"/>).
/// <paramref name="RouteInstance"/> is set for POST /webhook/{instance}.
/// </summary>
[AllowAnonymousCaller]
public sealed record ReceiveEvolutionWebhookCommand(string? RouteInstance, Stream Body, long? BodyLength, WebhookCredentials Credentials, string Source)
    : IRequest<WebhookOutcome>;

/// <summary>What the webhook answers: <c>{"ok": true, "action": ...}</c>, plus ids for logging.</summary>
public sealed record WebhookOutcome(string Action, long? TenantId = null, string? InstanceName = null, string? ChatId = null, string? ProviderMessageId = null);

public sealed class ReceiveEvolutionWebhookCommandHandler : IRequestHandler<ReceiveEvolutionWebhookCommand, WebhookOutcome>
{
    private readonly WebhookAdmission _admission;
    private readonly IChatUnitOfWork _chats;
    private readonly IReplyWorkerSignal _workers;
    private readonly ICorrelationContext _correlation;
    private readonly IHybridFlowMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly WebhookReceipts _receipts;

    public ReceiveEvolutionWebhookCommandHandler(
        WebhookAdmission admission, IChatUnitOfWork chats, IReplyWorkerSignal workers, ICorrelationContext correlation,
        IHybridFlowMetrics metrics, TimeProvider time, WebhookReceipts receipts)
    {
        _receipts = receipts;
        _metrics = metrics;
        _admission = admission;
        _chats = chats;
        _workers = workers;
        _correlation = correlation;
        _time = time;
    }

    public async Task<WebhookOutcome> Handle(ReceiveEvolutionWebhookCommand command, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        InstanceContext instance;
        EvolutionWebhook webhook;
        using (var body = new WebhookBody(command.Body, command.BodyLength))
            (instance, webhook) = await _admission.AdmitAsync(command.RouteInstance, body, command.Credentials, command.Source, now, ct);

        if (webhook.Receipt is { } receipt)
            return new WebhookOutcome(await _receipts.ApplyAsync(instance, receipt, now, ct), instance.Tenant.TenantId, instance.InstanceName,
                ProviderMessageId: receipt.ProviderMessageId);
        if (webhook.DeletedMessageId is { } deleted)
            return new WebhookOutcome(await _receipts.DeleteAsync(instance, deleted, now, ct), instance.Tenant.TenantId, instance.InstanceName,
                ProviderMessageId: deleted);
        if (webhook.Message is not { } message)
            return new WebhookOutcome(TimelineActions.IgnoredEvent, instance.Tenant.TenantId, instance.InstanceName);

        var outcome = new WebhookOutcome(TimelineActions.IgnoredGroup, instance.Tenant.TenantId, instance.InstanceName, message.ChatId, message.ProviderMessageId);
        if (message.ChatKind == ChatKind.GroupOrBroadcast) return outcome;
        if (message.RevokedMessageId is { } revoked) return outcome with { Action = await _receipts.DeleteAsync(instance, revoked, now, ct) };
        if (message.IsControlMessage) return outcome with { Action = TimelineActions.IgnoredUnsupported };

        var action = message.FromMe || webhook.Kind == WebhookEventKind.MessageSent
            ? await HandleOwnSideAsync(instance, webhook, message, now, ct)
            : await HandleCustomerAsync(instance, webhook, message, now, ct);
        return outcome with { Action = action };
    }

    private async Task<string> HandleCustomerAsync(InstanceContext instance, EvolutionWebhook webhook, EvolutionMessage message, DateTimeOffset now, CancellationToken ct)
    {
        var sentAt = message.SentAt ?? now;
        var recorded = await _chats.RecordCustomerMessageAsync(
            instance, message.ChatId, ToNewMessage(webhook, message, MessageDirection.Inbound, sentAt) with { ContactName = message.PushName }, now,
            (chat, appended, token) => DecideOnCustomerMessageAsync(instance, message, chat, appended, sentAt, now, token), ct);
        if (recorded.ReplyQueued) _workers.JobQueued();
        // Counted once committed: the unit of work may run the decision more than once.
        if (recorded.Action == TimelineActions.HandoffRequested) _metrics.HandoffRequested(HandoffRequests.KeywordTrigger);
        else if (recorded.Action is TimelineActions.AwayMessageSent or TimelineActions.IgnoredOutsideHours) _metrics.OutsideHours(recorded.Action);
        return recorded.Action;
    }

    private sealed record CustomerMessageRecorded(string Action, bool ReplyQueued);

    /// <summary>What a customer's message does to its chat. The unit of work may run it more than once, so it acts only through the chat.</summary>
    private async Task<CustomerMessageRecorded> DecideOnCustomerMessageAsync(
        InstanceContext instance, EvolutionMessage message, ILockedChat chat, MessageAppendResult appended, DateTimeOffset sentAt, DateTimeOffset now,
        CancellationToken ct)
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
        if (message.Text is null && !(message.Media is not null && policy.ReplyMode == ReplyMode.Ai))
        {
            // Stickers, documents without caption, media for a workflow: kept for the timeline, not answered.
            // A voice note or photo for the model is understood by the reply job (MediaPreparation), not here.
            chat.Session.ReceiveUnansweredMessage(sentAt, now);
            recorded = TimelineActions.IgnoredUnsupported;
        }
        else if (policy.ReplyMode == ReplyMode.Ai && HandoffKeywordMatcher.FindMatch(message.Text, policy.Conversation.HandoffKeywords) is { } phrase)
        {
            // Asking for a person wins over business hours: the handoff message goes out at any hour.
            var decision = chat.Session.ReceiveHandoffRequest(sentAt, now, policy.QuietPeriod, staleAfter);
            if (decision == SessionOutcome.IgnoredStale) (recorded, detail) = StaleMessage(sentAt, now);
            else if (decision == SessionOutcome.HandoffRequested)
            {
                await HandoffRequests.ApplyAsync(chat, instance, message.ChatId, HandoffRequests.KeywordTrigger, phrase, appended.MessageId, now,
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
        if (settings.OutsideHours == OutsideHoursPolicy.Silent) return (TimelineActions.IgnoredOutsideHours, "outside business hours: silent");

        if (chat.Session.ReceiveOutsideHours(closedSince.Value, now) != SessionOutcome.AwayMessageDue)
            return (TimelineActions.IgnoredOutsideHours, "outside business hours: the away message already went in this closed period");
        var away = ReplyJob.QueueNotice(chat.Session.TenantId, chat.Session.Id, ReplyJobKind.AwayNotice, settings.EffectiveAwayMessage, now);
        await chat.EnqueueNoticeAsync(away, messageId, _correlation.CorrelationId, ct);
        return (TimelineActions.AwayMessageSent, "outside business hours: away message queued");
    }

    /// <summary>A message from the business side: our own echo, the owner typing, or another API client.</summary>
    private Task<string> HandleOwnSideAsync(InstanceContext instance, EvolutionWebhook webhook, EvolutionMessage message, DateTimeOffset now, CancellationToken ct) =>
        _chats.RunAsync(instance, message.ChatId, now, (chat, token) => DecideOnOwnSideMessageAsync(instance, webhook, message, chat, now, token), ct);

    private async Task<string> DecideOnOwnSideMessageAsync(
        InstanceContext instance, EvolutionWebhook webhook, EvolutionMessage message, IChatWork chat, DateTimeOffset now, CancellationToken ct)
    {
        var sentAt = message.SentAt ?? now;

        var known = await chat.FindMessageDirectionAsync(message.ProviderMessageId, ct);
        if (known is not null)
            return chat.RollBack(known == MessageDirection.Bot ? TimelineActions.IgnoredEcho : TimelineActions.DuplicateIgnored);

        // The echo can arrive before the send call returns its key.id: match the send in flight by text.
        // The sender records the message's effect (an agent's takeover) once its call returns.
        var inFlight = message.Text is null ? null : await chat.FindSendInFlightAsync(message.Text, ct);
        if (inFlight is { } send)
        {
            var echo = await chat.AppendMessageAsync(ToNewMessage(webhook, message, send.Direction, sentAt), ct);
            if (echo.IsDuplicate) return chat.RollBack(TimelineActions.IgnoredEcho);
            await chat.AttachEchoToSendAsync(send.SendId, message.ProviderMessageId, ct);
            chat.Session.ReceiveEcho(sentAt, now);
            return TimelineActions.IgnoredEcho;
        }

        var appended = await chat.AppendMessageAsync(ToNewMessage(webhook, message, MessageDirection.Human, sentAt), ct);
        if (appended.IsDuplicate) return chat.RollBack(TimelineActions.DuplicateIgnored);

        var isExternalApiSend = webhook.Kind == WebhookEventKind.MessageSent;
        var detail = isExternalApiSend ? "sent by another client of the instance" : "typed by hand";
        string action;
        if (isExternalApiSend && !instance.Tenant.ExternalSendsPause)
        {
            chat.Session.ReceiveUnansweredMessage(sentAt, now);
            action = TimelineActions.Recorded;
            await chat.AddTimelineEventAsync(action, detail, appended.MessageId, now, ct);
        }
        else
        {
            action = await HumanTakeover.ApplyAsync(chat, instance.Tenant, appended.MessageId, sentAt, now, detail, ct);
        }
        return action;
    }

    private static (string Action, string Detail) StaleMessage(DateTimeOffset sentAt, DateTimeOffset now) =>
        (TimelineActions.IgnoredStale, $"sent {(int)(now - sentAt).TotalMinutes} minutes before it arrived: not answered by the bot; the chat needs a person");

    private static string QueuedAction(TenantPolicy tenant) =>
        tenant.ReplyMode == ReplyMode.Workflow ? TimelineActions.WorkflowQueued : TimelineActions.AiQueued;

    private static NewChatMessage ToNewMessage(EvolutionWebhook webhook, EvolutionMessage message, MessageDirection direction, DateTimeOffset sentAt) =>
        new(message.ProviderMessageId, direction, message.MessageType, message.Text, webhook.RawJson, sentAt);
}
