using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What a decision may do with a locked chat in any unit of work (<see cref="IChatUnitOfWork"/>), the customer-message
/// path's group commit included: the session, and writes that nobody reads back before the commit (timeline events,
/// queued replies and notices, cancels, notifications). They cost no round trip of their own: they travel with the commit.
/// </summary>
public interface ILockedChat
{
    ChatSession Session { get; }
    /// <summary>
    /// Queues a reply, or pushes an already pending one back so that it also covers this message (debounce).
    /// The job keeps the correlation id of the request that first queued it.
    /// </summary>
    Task EnqueueReplyAsync(long triggerMessageId, DateTimeOffset dueAt, DateTimeOffset now, string? correlationId, CancellationToken ct);
    Task AddTimelineEventAsync(string action, string? detail, long? messageId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Queues a notice (<see cref="ReplyJob.QueueNotice"/>) beside any pending reply: a worker sends it without the model.</summary>
    Task EnqueueNoticeAsync(ReplyJob notice, long? triggerMessageId, string? correlationId, CancellationToken ct);
    /// <summary>
    /// Cancels the chat's replies and away messages not yet sent (a person was requested); the handoff message stays.
    /// When any were cancelled, the timeline gets <paramref name="cancelledAction"/> with
    /// <c>CancelledReplies.Detail(count, reason)</c>, and the cancelled-jobs metric counts them after the commit.
    /// </summary>
    Task CancelRepliesForHandoffAsync(string cancelledAction, string reason, long? messageId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Queues a POST to the tenant's notify_url (<see cref="INotifyOutbox"/>).</summary>
    Task EnqueueNotificationAsync(HandoffNotification notification, DateTimeOffset now, CancellationToken ct);
}
