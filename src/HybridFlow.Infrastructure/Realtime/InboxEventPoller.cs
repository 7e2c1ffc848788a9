using HybridFlow.Infrastructure.Persistence;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Realtime;

/// <summary>
/// Brings the inbox events that any replica committed to this process's streams by reading inbox_events every
/// INBOX_POLL_MS (ADR-011). Nothing on the write path notifies: a NOTIFY takes PostgreSQL's one notify lock at commit and
/// holds it through the commit's WAL flush, which made every webhook commit wait for the one before it.
/// <para>
/// Ids are drawn before their transaction commits, so they become visible out of order: an id below the highest one
/// read that is not there yet is a gap. Each poll reads what is above the highest id, plus the gaps by id; a gap that
/// stays empty for <see cref="GapLookBack"/> was rolled back (or its transaction is stuck) and is given up.
/// </para>
/// </summary>
internal sealed class InboxEventPoller : BackgroundService
{
    private const int ReadBatch = 1000;
    /// <summary>Most rows one poll reads; a longer backlog is read over the next polls.</summary>
    private const int MaxRowsPerPoll = 10_000;
    /// <summary>Gaps remembered at most (a mass rollback cannot grow the set without bound); the oldest go first.</summary>
    private const int MaxGaps = 10_000;
    /// <summary>How long an id below the highest one read is looked for: far longer than any chat transaction lasts.</summary>
    public static readonly TimeSpan GapLookBack = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private readonly InboxEventQueries _store;
    private readonly InboxEventFeed _feed;
    private readonly TimeSpan _interval;
    private readonly TimeProvider _time;
    private readonly ILogger<InboxEventPoller> _logger;
    private readonly InboxEventGaps _gaps = new(MaxGaps);
    /// <summary>The highest event id read so far; -1 until the first poll.</summary>
    private long _highest = -1;

    public InboxEventPoller(InboxEventQueries store, InboxEventFeed feed, InboxStreamOptions options, TimeProvider time, ILogger<InboxEventPoller> logger)
    {
        _store = store;
        _feed = feed;
        _interval = options.PollInterval;
        _time = time;
        _logger = logger;
    }

    /// <summary>The highest event id read so far (for the tests).</summary>
    public long HighestRead => Volatile.Read(ref _highest);

    /// <summary>True once a poll has succeeded, false while the database cannot be read (for the tests and the log).</summary>
    public bool Polling { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        using var timer = new PeriodicTimer(_interval, _time);
        try
        {
            do
            {
                try
                {
                    await PollAsync(stoppingToken);
                    if (failures > 0) _logger.LogInformation("Inbox events: reading inbox_events works again after {failures} failed polls", failures);
                    failures = 0;
                    Polling = true;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested)
                {
                    // Nothing is lost meanwhile: the next poll reads from the highest id read, and the gaps are kept.
                    Polling = false;
                    if (failures == 0) _logger.LogWarning("Inbox events: reading inbox_events failed ({error}); retrying", e.GetType().Name + ": " + e.Message);
                    await Task.Delay(Backoff(failures++), _time, stoppingToken);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One poll: the rows above the highest id read, and the gaps that have filled since.</summary>
    private async Task PollAsync(CancellationToken ct)
    {
        // Live from the first poll on: what was committed before this process started is for a reconnect's replay.
        if (_highest < 0) Volatile.Write(ref _highest, await _store.HighestIdAsync(ct));

        var now = _time.GetTimestamp();
        _gaps.ForgetOlderThan(now, GapLookBack, _time);
        // Nothing is marked read before it is published: a poll that fails half way is repeated whole.
        var found = new List<Application.Inbox.Events.InboxEvent>();
        if (_gaps.Count > 0) found.AddRange(await _store.ReadAsync(_gaps.Ids, ct));
        var filledGaps = found.Count;

        var highest = _highest;
        for (var read = 0; read < MaxRowsPerPoll;)
        {
            var page = await _store.AfterAsync(highest, ReadBatch, ct);
            foreach (var e in page)
            {
                _gaps.AddBetween(highest, e.Id, now);
                highest = e.Id;
                found.Add(e);
            }
            read += page.Count;
            if (page.Count < ReadBatch) break;
        }
        if (found.Count > 0) _feed.Publish(found);
        foreach (var e in found.Take(filledGaps)) _gaps.Filled(e.Id);
        // Moved on only once published: a stream that subscribes after this read sees these events in no other way.
        Volatile.Write(ref _highest, highest);
    }

    private static TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(MaxBackoff.TotalSeconds, 0.25 * Math.Pow(2, Math.Min(failures, 10)));
        return TimeSpan.FromSeconds(seconds * (0.8 + Random.Shared.NextDouble() * 0.4));
    }
}

/// <summary>Ids skipped by a higher one that became visible first, each with the time it was first missed.</summary>
internal sealed class InboxEventGaps
{
    private readonly int _capacity;
    private readonly SortedDictionary<long, long> _missedSince = [];

    public InboxEventGaps(int capacity) => _capacity = capacity;

    public int Count => _missedSince.Count;

    public IReadOnlyCollection<long> Ids => _missedSince.Keys;

    /// <summary>Records the ids strictly between <paramref name="highest"/> and <paramref name="next"/> as missing; only the newest fit when there are more.</summary>
    public void AddBetween(long highest, long next, long timestamp)
    {
        var first = Math.Max(highest + 1, next - _capacity);
        for (var id = first; id < next; id++) _missedSince.TryAdd(id, timestamp);
        while (_missedSince.Count > _capacity) _missedSince.Remove(_missedSince.Keys.First());
    }

    public void Filled(long id) => _missedSince.Remove(id);

    public void ForgetOlderThan(long now, TimeSpan lookBack, TimeProvider time)
    {
        if (_missedSince.Count == 0) return;
        List<long>? expired = null;
        foreach (var (id, since) in _missedSince)
            if (time.GetElapsedTime(since, now) > lookBack) (expired ??= []).Add(id);
        if (expired is null) return;
        foreach (var id in expired) _missedSince.Remove(id);
    }
}
