using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Infrastructure.Realtime;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>The feed's limits: a stream that does not read is dropped, replay covers 10 minutes, rows live an hour, shutdown ends streams.</summary>
public sealed class InboxEventFeedTests
{
    [Test]
    public async Task StreamThatStopsReading_IsDropped_RatherThanGrowingItsBuffer()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var feed = app.Services.GetRequiredService<InboxEventFeed>();
        const long firstId = 1_000_000_000_000;
        var events = Enumerable.Range(0, InboxEventFeed.StreamCapacity + 50)
            .Select(i => new InboxEvent(firstId + i, InboxEventTypes.MessageCreated, 1, 1, i, null, null, null, DateTimeOffset.UtcNow))
            .ToList();

        await using var slow = feed.Subscribe(_ => true);
        await using var uninterested = feed.Subscribe(_ => false);
        feed.Publish(events);

        var read = new List<long>();
        await foreach (var e in slow.Events.ReadAllAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token)) read.Add(e.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(read, Is.EqualTo(events.Take(InboxEventFeed.StreamCapacity).Select(e => e.Id)), "what fitted, then the end of the stream");
            Assert.That(slow.Events.Completion.IsCompleted, Is.True);
            Assert.That(uninterested.Events.Completion.IsCompleted, Is.False, "a stream that sees none of them is not dropped");
        }

        // Published again (a catch-up after a reconnect): already delivered, so skipped.
        await using var fresh = feed.Subscribe(_ => true);
        feed.Publish(events.Take(10).ToList());
        Assert.That(fresh.Events.TryRead(out _), Is.False);
    }

    [Test]
    public async Task Replay_CoversTenMinutes_AndTheSweepPurgesRowsOlderThanAnHour()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.OwnerText(chat, "Assumi")), Is.EqualTo("paused"));
        var sessionId = (await app.GetSessionAsync(instance, chat)).GetProperty("id").GetInt64();
        var message = await app.ScalarAsync<long>("SELECT id FROM inbox_events WHERE session_id = $1 AND type = 'message.created'", sessionId);
        var paused = await app.ScalarAsync<long>("SELECT id FROM inbox_events WHERE session_id = $1 AND type = 'session.paused'", sessionId);
        await app.ScalarAsync<int>("UPDATE inbox_events SET created_at = now() - interval '11 minutes' WHERE id = $1 RETURNING 1", message);
        // Read (and published to nobody) before the stream opens: what it gets is the replay alone.
        var poller = app.Services.GetRequiredService<InboxEventPoller>();
        await HybridFlowApp.EventuallyAsync(() => poller.HighestRead >= paused, "the poller has read both events");

        await using (var stream = await SseStream.OpenAsync(app.Admin, lastEventId: "0"))
        {
            await stream.WaitForAsync("session.paused", sessionId);
            Assert.That(stream.Events.Select(e => e.EventId), Is.EqualTo(new[] { paused }), "the event older than 10 minutes is not replayed");
        }

        await app.ScalarAsync<int>("UPDATE inbox_events SET created_at = now() - interval '61 minutes' WHERE id = $1 RETURNING 1", message);
        using var cron = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume");
        cron.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
        await ApiAssert.StatusAsync(await app.Client.SendAsync(cron), 200);
        Assert.That(await app.ScalarAsync<string>("SELECT string_agg(id::text, ',' ORDER BY id) FROM inbox_events"),
            Is.EqualTo(paused.ToString(System.Globalization.CultureInfo.InvariantCulture)), "only the row older than an hour purged");
    }

    [Test]
    public async Task HostShuttingDown_EndsTheOpenStreams()
    {
        var app = await HybridFlowApp.StartAsync();
        await using var stream = await SseStream.OpenAsync(app.Admin);

        var stopped = app.DisposeAsync().AsTask();
        await HybridFlowApp.EventuallyAsync(() => stream.Ended, "the stream ended by the server", TimeSpan.FromSeconds(20));
        await stopped;
    }
}
