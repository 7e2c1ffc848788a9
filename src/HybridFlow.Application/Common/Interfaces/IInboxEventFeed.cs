using HybridFlow.Application.Inbox.Events;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The inbox events of every replica: live ones as they are committed (read from the table every INBOX_POLL_MS), and the
/// stored ones of the last hour for a browser that reconnects.
/// </summary>
public interface IInboxEventFeed
{
    /// <summary>
    /// Live events from now on that pass <paramref name="include"/>, in the order they reach this process (ids commit out
    /// of order). The buffer is bounded: a reader that falls behind is dropped, its reader completes, and the browser
    /// reconnects with Last-Event-ID.
    /// </summary>
    IInboxEventSubscription Subscribe(Func<InboxEvent, bool> include);

    /// <summary>Stored events with an id above <paramref name="afterId"/> recorded within <paramref name="window"/>, by id, at most <paramref name="limit"/>; <paramref name="tenantId"/> null for every tenant.</summary>
    Task<IReadOnlyList<InboxEvent>> ReplayAsync(long afterId, long? tenantId, TimeSpan window, int limit, CancellationToken ct);

    /// <summary>Deletes the events recorded more than <paramref name="keep"/> ago; answers how many.</summary>
    Task<int> PurgeAsync(TimeSpan keep, CancellationToken ct);
}
