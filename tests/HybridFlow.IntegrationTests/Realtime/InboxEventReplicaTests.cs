using System.Net.Http.Headers;
using System.Net.Http.Json;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Realtime;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HybridFlow.IntegrationTests.Realtime;

/// <summary>
/// Inbox events across replicas through the inbox_events table (no other broker; each process polls it): a webhook that
/// one API answers reaches a stream held by another, in process and as a real second OS process; an event whose id was
/// drawn before a higher one's but that committed after it still arrives; and the poller's reads resume after the
/// database killed its connection, with what was committed meanwhile delivered.
/// </summary>
public sealed class InboxEventReplicaTests
{
    private static async Task<long> SessionIdAsync(HybridFlowApp app, string instance, string chat) =>
        (await app.GetSessionAsync(instance, chat)).GetProperty("id").GetInt64();

    [Test]
    public async Task WebhookOnReplicaA_ReachesAStreamOnReplicaB_AndTheOtherWayRound()
    {
        await using var a = await HybridFlowApp.StartAsync();
        await using var b = await HybridFlowApp.StartAsync(sharedDatabase: a.ConnectionString);
        var (_, instance) = await a.CreateTenantWithInstanceAsync();
        await using var onB = await SseStream.OpenAsync(b.Admin);
        await using var onA = await SseStream.OpenAsync(a.Admin);
        var chat = Payloads.NewChatId();

        Assert.That(await a.DeliverAsync(instance, Payloads.CustomerText(chat, "Vocês entregam?")), Is.EqualTo("ai_queued"));
        var sessionId = await SessionIdAsync(a, instance, chat);
        var created = await onB.WaitForAsync("message.created", sessionId);
        // The stream may open just after the customer's message was read (it has no Last-Event-ID): the bot's then comes first.
        Assert.That(created.Data.GetProperty("direction").GetString(),
            Is.EqualTo(await a.ScalarAsync<string>("SELECT direction FROM messages WHERE id = $1", created.Data.GetProperty("message_id").GetInt64())),
            "the event says whose message it was");
        await onB.WaitForAsync("reply.sent", sessionId);

        var other = Payloads.NewChatId();
        Assert.That(await b.DeliverAsync(instance, Payloads.OwnerText(other, "Eu atendo este")), Is.EqualTo("paused"));
        await onA.WaitForAsync("session.paused", await SessionIdAsync(a, instance, other));

        Assert.That(onB.Events.Select(e => e.Id), Is.Unique, "each event once on a replica");
    }

    [Test]
    public async Task WebhookOnOneProcess_ReachesAStreamOnAnotherOsProcess_OverRealHttp()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var environment = new Dictionary<string, string?>(app.Settings) { ["INBOX_KEEPALIVE_SECONDS"] = "1" };
        await using var process = await ApiProcess.StartAsync(environment);
        using var http = new HttpClient { BaseAddress = process.BaseAddress, Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);

        await using var onProcess = await SseStream.OpenAsync(http);
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Tem pão de queijo?")), Is.EqualTo("ai_queued"));
        var sessionId = await SessionIdAsync(app, instance, chat);
        await onProcess.WaitForAsync("message.created", sessionId);
        await onProcess.WaitForAsync("reply.sent", sessionId);
        await HybridFlowApp.EventuallyAsync(() => onProcess.Comments.Contains("keep-alive"), "a keep-alive over real HTTP");

        // And a webhook the process answers reaches the in-process replica's stream.
        await using var inProcess = await SseStream.OpenAsync(app.Admin);
        var other = Payloads.NewChatId();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"webhook/{instance}")
        {
            Content = JsonContent.Create(Payloads.OwnerText(other, "Deixa comigo").WithInstance(instance)),
        };
        request.Headers.Add("X-Webhook-Secret", HybridFlowApp.WebhookSecret);
        Assert.That((int)(await http.SendAsync(request)).StatusCode, Is.EqualTo(200), process.Output);
        await inProcess.WaitForAsync("session.paused", await SessionIdAsync(app, instance, other));
    }

    [Test]
    public async Task PollerConnectionKilled_ReadsResume_AndWhatWasCommittedMeanwhileArrives()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var poller = app.Services.GetRequiredService<InboxEventPoller>();
        await HybridFlowApp.EventuallyAsync(() => poller.Polling, "the poller reading");
        await using var stream = await SseStream.OpenAsync(app.Admin);
        var terminate = $"""
            SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE application_name = '{InboxPollerDataSource.ApplicationName}' AND datname = current_database()
            """;

        // The database kills the poller's connection again as soon as it is back, for two seconds; the webhook commits
        // meanwhile, so only a read after the outage can deliver its events.
        await HybridFlowApp.EventuallyAsync(async () => await app.ScalarAsync<long>(terminate) == 1, "the poller's backend killed");
        using var keepKilling = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var killer = Task.Run(async () =>
        {
            while (!keepKilling.IsCancellationRequested)
            {
                await app.ScalarAsync<long>(terminate);
                await Task.Delay(10);
            }
        });
        await HybridFlowApp.EventuallyAsync(() => !poller.Polling, "the poller's read failed");
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.OwnerText(chat, "Assumi a conversa")), Is.EqualTo("paused"));
        await killer;

        var sessionId = await SessionIdAsync(app, instance, chat);
        await stream.WaitForAsync("session.paused", sessionId, TimeSpan.FromSeconds(20));
        await stream.WaitForAsync("message.created", sessionId);
        await HybridFlowApp.EventuallyAsync(() => poller.Polling, "the poller reading again");

        // Live again after the recovery, and nothing was published twice.
        await ApiAssert.StatusAsync(await app.Admin.PostAsync($"/api/sessions/{sessionId}/resume", null), 200);
        await stream.WaitForAsync("session.resumed", sessionId);
        Assert.That(stream.Events.Select(e => e.Id), Is.Unique);
        Assert.That(stream.Ended, Is.False, "the stream itself never depended on the poller's connection");
    }

    [Test]
    public async Task EventCommittedAfterAHigherOne_StillReachesTheStreams_OfBothReplicas()
    {
        await using var a = await HybridFlowApp.StartAsync();
        await using var b = await HybridFlowApp.StartAsync(sharedDatabase: a.ConnectionString);
        var (tenantId, instance) = await a.CreateTenantWithInstanceAsync();
        await using var onA = await SseStream.OpenAsync(a.Admin);
        await using var onB = await SseStream.OpenAsync(b.Admin);
        var first = Payloads.NewChatId();
        await a.DeliverAsync(instance, Payloads.CustomerText(first, "Oi"));
        var firstSession = await SessionIdAsync(a, instance, first);
        await onB.WaitForAsync("message.created", firstSession);

        // A note written in a transaction that stays open draws its event id now, and commits only after a later
        // event (a higher id) has been read by both replicas.
        await using var slow = new NpgsqlConnection(a.ConnectionString);
        await slow.OpenAsync();
        await using var tx = await slow.BeginTransactionAsync();
        await using (var note = new NpgsqlCommand(
            "INSERT INTO inbox_notes (tenant_id, session_id, author_name, text, created_at) VALUES ($1, $2, 'Ana', 'ligar amanhã', now())", slow, tx))
        {
            note.Parameters.Add(new NpgsqlParameter { Value = tenantId });
            note.Parameters.Add(new NpgsqlParameter { Value = firstSession });
            await note.ExecuteNonQueryAsync();
        }
        var second = Payloads.NewChatId();
        await b.DeliverAsync(instance, Payloads.CustomerText(second, "Bom dia"));
        var secondSession = await SessionIdAsync(a, instance, second);
        var later = await onA.WaitForAsync("message.created", secondSession);
        await onB.WaitForAsync("message.created", secondSession);
        // A few polls pass the gap while it is still open: each of these messages is read by a later poll of each replica.
        foreach (var text in new[] { "Alguém aí?", "Oi de novo" })
        {
            var passing = Payloads.NewChatId();
            await b.DeliverAsync(instance, Payloads.CustomerText(passing, text));
            var passingSession = await SessionIdAsync(a, instance, passing);
            await onA.WaitForAsync("message.created", passingSession);
            await onB.WaitForAsync("message.created", passingSession);
        }
        await tx.CommitAsync();

        var noteOnA = await onA.WaitForAsync("note.created", firstSession);
        var noteOnB = await onB.WaitForAsync("note.created", firstSession);
        Assert.That(noteOnA.EventId, Is.LessThan(later.EventId), "the note's event id was drawn first, and committed last");
        Assert.That(noteOnB.EventId, Is.EqualTo(noteOnA.EventId));
        Assert.That(onA.Events.Select(e => e.Id), Is.Unique);
        Assert.That(onB.Events.Select(e => e.Id), Is.Unique);
    }
}
