using HybridFlow.Domain.Handoffs;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What the tenant's notify_url receives when a person is requested, as snake_case JSON signed like the workflow events.
/// <see cref="Trigger"/> is <c>keyword</c> or <c>model</c>; <see cref="Reason"/> is the matched phrase or the model's reason.
/// </summary>
public sealed record HandoffRequestedEvent(
    string Event,
    string EventId,
    long TenantId,
    string InstanceName,
    string ChatId,
    long SessionId,
    string Trigger,
    string Reason,
    DateTimeOffset RequestedAt)
{
    public const string Name = "handoff_requested";
}

/// <summary>One POST to queue: <see cref="HandoffRequestedEvent.EventId"/> is its delivery id, the same on every attempt.</summary>
public sealed record HandoffNotification(NotifyTarget Target, HandoffRequestedEvent Event);

/// <summary>A queued POST taken by a drainer for one attempt (<see cref="Attempt"/>, the claim's, fences the save).</summary>
public sealed record PendingNotification(long TenantId, long? SessionId, string DeliveryId, NotifyTarget Target, string Body, NotifyDelivery Delivery, int Attempt)
{
    public long Id => Delivery.Id;
}

/// <summary>The notify outbox: rows written in the chat's transaction (<see cref="ILockedChat.EnqueueNotificationAsync"/>), drained here.</summary>
public interface INotifyOutbox
{
    /// <summary>Takes due deliveries with SKIP LOCKED for <paramref name="lease"/>, counting the attempt.</summary>
    Task<IReadOnlyList<PendingNotification>> ClaimDueAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct);

    /// <summary>
    /// Stores the delivery as the domain left it, if the claimed attempt still holds it; with <paramref name="timelineDetail"/>,
    /// the chat's timeline gets <c>notify_failed</c> in the same statement.
    /// </summary>
    Task SaveAsync(PendingNotification claimed, string? timelineDetail, CancellationToken ct);

    /// <summary>Deletes delivered and dead deliveries last changed before <paramref name="olderThan"/>; answers how many.</summary>
    Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct);

}

/// <summary>POSTs a body signed with the workflow events' scheme (X-HybridFlow-Signature, -Timestamp, -Delivery).</summary>
public interface ISignedEventSender
{
    /// <summary>Answers the 2xx status; throws <see cref="WorkflowDispatchException"/> otherwise.</summary>
    Task<int> PostAsync(WorkflowTarget target, string deliveryId, byte[] body, CancellationToken ct);
}
