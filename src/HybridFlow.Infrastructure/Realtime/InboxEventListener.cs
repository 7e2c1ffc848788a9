using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using HybridFlow.Infrastructure.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace HybridFlow.Infrastructure.Realtime;

/// <summary>
/// The process's one LISTEN connection (channel inbox_events, which the V0013 triggers notify on commit with an event
/// id). A second loop reads the notified rows by id, in batches of what arrived together (ids commit out of order, so
/// never "above the last one seen"), and publishes them to <see cref="InboxEventFeed"/>. When the connection is lost it
/// reconnects with backoff, then catches up from the table on what was committed meanwhile.
/// </summary>
public sealed class InboxEventListener : BackgroundService
{
    public const string Channel = "inbox_events";
    private const int ReadBatch = 1000;
    private const int CatchUpLimit = 10_000;
    /// <summary>Added to the outage: a transaction stamps created_at when it starts, and may commit a little later.</summary>
    private static readonly TimeSpan CatchUpMargin = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan CatchUpMax = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly string _connectionString;
    private readonly InboxEventStore _store;
    private readonly InboxEventFeed _feed;
    private readonly ILogger<InboxEventListener> _logger;
    private readonly Lock _lock = new();
    private List<long> _pendingIds = [];
    private TimeSpan? _pendingCatchUp;
    private readonly Channel<bool> _work = System.Threading.Channels.Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public InboxEventListener(string connectionString, InboxEventStore store, InboxEventFeed feed, ILogger<InboxEventListener> logger)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            // Its own physical connection, outside the pools: it is held for good, and a killed one is simply dropped.
            Pooling = false,
            ApplicationName = "hybridflow-inbox-listen",
        };
        // A keepalive query while waiting notices a connection that died without a word (a network cut).
        if (builder.KeepAlive == 0) builder.KeepAlive = 15;
        _connectionString = builder.ConnectionString;
        _store = store;
        _feed = feed;
        _logger = logger;
    }

    /// <summary>True while the LISTEN is in place (for the tests and the log).</summary>
    public bool Listening { get; private set; }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(ListenAsync(stoppingToken), DeliverAsync(stoppingToken));

    private async Task ListenAsync(CancellationToken ct)
    {
        long? lostAt = null;
        var failures = 0;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_connectionString);
                await connection.OpenAsync(ct);
                connection.Notification += OnNotification;
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                Listening = true;
                if (lostAt is { } since)
                {
                    var outage = Stopwatch.GetElapsedTime(since);
                    _logger.LogInformation("Inbox events: LISTEN connection restored after {outage_seconds} s; catching up from the table",
                        Math.Round(outage.TotalSeconds, 1));
                    RequestCatchUp(outage + CatchUpMargin);
                }
                lostAt = null;
                failures = 0;
                while (true) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                Listening = false;
                if (lostAt is null)
                {
                    lostAt = Stopwatch.GetTimestamp();
                    _logger.LogWarning("Inbox events: the LISTEN connection to PostgreSQL is gone ({error}); reconnecting", e.GetType().Name + ": " + e.Message);
                }
                try
                {
                    await Task.Delay(Backoff(failures++), ct);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (!long.TryParse(e.Payload, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) return;
        lock (_lock) _pendingIds.Add(id);
        _work.Writer.TryWrite(true);
    }

    private void RequestCatchUp(TimeSpan window)
    {
        lock (_lock) _pendingCatchUp = window > CatchUpMax ? CatchUpMax : window;
        _work.Writer.TryWrite(true);
    }

    private async Task DeliverAsync(CancellationToken ct)
    {
        var failures = 0;
        try
        {
            while (await _work.Reader.WaitToReadAsync(ct))
            {
                _work.Reader.TryRead(out _);
                List<long> ids;
                TimeSpan? catchUp;
                lock (_lock)
                {
                    ids = _pendingIds;
                    _pendingIds = [];
                    catchUp = _pendingCatchUp;
                    _pendingCatchUp = null;
                }
                try
                {
                    if (catchUp is { } window) _feed.Publish(await _store.RecentAsync(window, CatchUpLimit, ct));
                    foreach (var chunk in ids.Chunk(ReadBatch)) _feed.Publish(await _store.ReadAsync(chunk, ct));
                    failures = 0;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    // Put back and try again; the feed skips what it published already.
                    lock (_lock)
                    {
                        _pendingIds.InsertRange(0, ids);
                        if (catchUp is { } window && (_pendingCatchUp is null || _pendingCatchUp < window)) _pendingCatchUp = window;
                    }
                    if (failures == 0) _logger.LogWarning("Inbox events: reading notified events failed ({error}); retrying", e.GetType().Name + ": " + e.Message);
                    await Task.Delay(Backoff(failures++), ct);
                    _work.Writer.TryWrite(true);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, 0.25 * Math.Pow(2, Math.Min(failures, 10)));
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}
