using System.Threading.Channels;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.Infrastructure.Persistence;
using HybridFlow.Infrastructure.Persistence.Inbox;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Realtime;

/// <summary>
/// This process's fan-out of inbox events: <see cref="InboxEventPoller"/> publishes what it read from inbox_events, and
/// every open stream has a bounded channel of its own. A stream whose channel is full (a browser that does not read) is
/// dropped rather than allowed to hold memory; it reconnects with Last-Event-ID and is replayed from the table.
/// </summary>
internal sealed class InboxEventFeed : IInboxEventFeed
{
    /// <summary>Events one stream may have waiting before it is dropped.</summary>
    public const int StreamCapacity = 1000;
    /// <summary>Ids remembered so that an event is never published twice.</summary>
    private const int RememberedIds = 20_000;

    private readonly InboxEventQueries _events;
    private readonly InboxEventStore _store;
    private readonly HybridFlowMetrics _metrics;
    private readonly ILogger<InboxEventFeed> _logger;
    private readonly Lock _lock = new();
    private readonly List<Subscription> _subscriptions = [];
    private readonly HashSet<long> _published = [];
    private readonly Queue<long> _publishedOrder = new();

    public InboxEventFeed(InboxEventQueries events, InboxEventStore store, HybridFlowMetrics metrics, ILogger<InboxEventFeed> logger)
    {
        _events = events;
        _store = store;
        _metrics = metrics;
        _logger = logger;
    }

    public IInboxEventSubscription Subscribe(Func<InboxEvent, bool> include)
    {
        var subscription = new Subscription(this, include);
        lock (_lock) _subscriptions.Add(subscription);
        _metrics.InboxStreamOpened();
        return subscription;
    }

    public Task<IReadOnlyList<InboxEvent>> ReplayAsync(long afterId, long? tenantId, TimeSpan window, int limit, CancellationToken ct) =>
        _events.ReplayAsync(afterId, tenantId, window, limit, ct);

    public Task<int> PurgeAsync(TimeSpan keep, CancellationToken ct) => _store.PurgeAsync(keep, ct);

    /// <summary>Hands <paramref name="events"/> to every stream that may see them; an id published before is skipped.</summary>
    public void Publish(IReadOnlyList<InboxEvent> events)
    {
        List<Subscription>? dropped = null;
        lock (_lock)
        {
            foreach (var e in events)
            {
                if (!Remember(e.Id)) continue;
                foreach (var subscription in _subscriptions)
                {
                    if (subscription.Dropped || !subscription.Include(e)) continue;
                    if (subscription.Writer.TryWrite(e)) continue;
                    subscription.Dropped = true;
                    (dropped ??= []).Add(subscription);
                }
            }
        }
        if (dropped is null) return;
        foreach (var subscription in dropped)
        {
            // Completing (not failing) the channel ends the stream cleanly; the browser reconnects and is replayed.
            subscription.Writer.TryComplete();
            _logger.LogWarning("An inbox event stream fell {Capacity} events behind and was closed; the client will reconnect and catch up", StreamCapacity);
        }
    }

    private bool Remember(long id)
    {
        if (!_published.Add(id)) return false;
        _publishedOrder.Enqueue(id);
        if (_publishedOrder.Count > RememberedIds) _published.Remove(_publishedOrder.Dequeue());
        return true;
    }

    private void Unsubscribe(Subscription subscription)
    {
        bool removed;
        lock (_lock) removed = _subscriptions.Remove(subscription);
        if (!removed) return;
        subscription.Writer.TryComplete();
        _metrics.InboxStreamClosed();
    }

    private sealed class Subscription : IInboxEventSubscription
    {
        private readonly InboxEventFeed _feed;
        private readonly Channel<InboxEvent> _channel =
            Channel.CreateBounded<InboxEvent>(new BoundedChannelOptions(StreamCapacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        public Subscription(InboxEventFeed feed, Func<InboxEvent, bool> include)
        {
            _feed = feed;
            Include = include;
        }

        public Func<InboxEvent, bool> Include { get; }
        public ChannelWriter<InboxEvent> Writer => _channel.Writer;
        public ChannelReader<InboxEvent> Events => _channel.Reader;
        /// <summary>Set under the feed's lock.</summary>
        public bool Dropped { get; set; }

        public ValueTask DisposeAsync()
        {
            _feed.Unsubscribe(this);
            return ValueTask.CompletedTask;
        }
    }
}
