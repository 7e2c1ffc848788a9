using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Sessions;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks.Conversation;

/// <summary>
/// A message from the business side, whichever channel brought it: our own send coming back (skipped), the owner typing
/// on the phone or a linked device (a human takeover), or another client of the instance. Run in a transaction of its
/// own chat (<see cref="IChatUnitOfWork.RunAsync{T}(InstanceContext, string, DateTimeOffset, Func{IChatWork, CancellationToken, Task{T}}, CancellationToken)"/>).
/// </summary>
public static class OwnerMessages
{
    /// <summary>
    /// Decides on <paramref name="message"/> (stored as <see cref="MessageDirection.Human"/> unless it is one of our sends).
    /// <paramref name="matchSendInFlight"/>: the channel echoes our own sends, possibly before the send call answers (Evolution),
    /// so a send in flight with the same text is this message. <paramref name="isExternalApiSend"/>: another client of the
    /// instance's API sent it, which pauses the bot only when the tenant asks for it.
    /// </summary>
    public static async Task<string> DecideAsync(
        IChatWork chat, InstanceContext instance, NewChatMessage message, bool matchSendInFlight, bool isExternalApiSend, DateTimeOffset now,
        CancellationToken ct)
    {
        var sentAt = message.SentAt;
        var known = await chat.FindMessageDirectionAsync(message.ProviderMessageId, ct);
        if (known is not null)
            return chat.RollBack(known == MessageDirection.Bot ? TimelineActions.IgnoredEcho : TimelineActions.DuplicateIgnored);

        // The echo can arrive before the send call returns its key.id: match the send in flight by text.
        // The sender records the message's effect (an agent's takeover) once its call returns.
        var inFlight = !matchSendInFlight || message.Text is null ? null : await chat.FindSendInFlightAsync(message.Text, ct);
        if (inFlight is { } send)
        {
            var echo = await chat.AppendMessageAsync(message with { Direction = send.Direction }, ct);
            if (echo.IsDuplicate) return chat.RollBack(TimelineActions.IgnoredEcho);
            await chat.AttachEchoToSendAsync(send.SendId, message.ProviderMessageId, ct);
            chat.Session.ReceiveEcho(sentAt, now);
            return TimelineActions.IgnoredEcho;
        }

        var appended = await chat.AppendMessageAsync(message.Direction == MessageDirection.Human ? message : message with { Direction = MessageDirection.Human }, ct);
        if (appended.IsDuplicate) return chat.RollBack(TimelineActions.DuplicateIgnored);

        var detail = TimelineDetails.Format(isExternalApiSend ? TimelineDetails.SentByOtherClient : TimelineDetails.TypedByHand);
        if (isExternalApiSend && !instance.Tenant.ExternalSendsPause)
        {
            chat.Session.ReceiveUnansweredMessage(sentAt, now);
            await chat.AddTimelineEventAsync(TimelineActions.Recorded, detail, appended.MessageId, now, ct);
            return TimelineActions.Recorded;
        }
        return await HumanTakeover.ApplyAsync(chat, instance.Tenant, appended.MessageId, sentAt, now, detail, ct);
    }
}
