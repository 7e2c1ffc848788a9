namespace HybridFlow.Application.Common.Interfaces;

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
