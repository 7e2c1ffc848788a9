using HybridFlow.Domain.Handoffs;
using HybridFlow.Domain.Tenants;

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
