using HybridFlow.IntegrationTests.Infrastructure;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Reliability;

/// <summary>A killed process and a restarted database: nothing acknowledged is lost, nothing is sent twice.</summary>
public sealed class CrashAndOutageTests
{
    // The crash during generation is ReplyDispatchTests.ApiKilledWhileTheModelIsWriting_...: the same scenario, with the lease timing.

    [Test]
    public async Task PostgresRestartedUnderLoad_OutageIs503_NothingAcknowledgedIsLost_AndServiceRecovers()
    {
        await using var postgres = await PostgresServer.StartAsync();
        if (postgres.IsExternal) Assert.Ignore("Needs a server the tests start themselves (HYBRIDFLOW_TEST_DATABASE_URL is set).");
        TestContext.Out.WriteLine("restarted server: " + postgres.Description);
        var database = await postgres.CreateDatabaseAsync();
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["REPLY_JOB_LEASE_SECONDS"] = "3" }, database);
        var (_, instance) = await app.CreateTenantWithInstanceAsync();

        var results = new List<(string Chat, int Status)>();
        int Count(int from = 0, int? status = null)
        {
            lock (results) return results.Skip(from).Count(r => status is null || r.Status == status);
        }
        int Acknowledged() => Count(status: 200);
        using var stop = new CancellationTokenSource();
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var chat = Payloads.NewChatId();
                var response = await app.PostWebhookAsync(instance, Payloads.CustomerText(chat, "Oi, alguém aí?"));
                lock (results) results.Add((chat, (int)response.StatusCode));
                await Task.Delay(20);
            }
        })).ToList();

        // Under load: messages acknowledged, and replies already going out, when the database goes away.
        await HybridFlowApp.EventuallyAsync(() => Acknowledged() >= 20 && app.Evolution.SuccessfulSends.Count >= 1, "the load under way");
        await postgres.StopServerAsync();
        var stoppedAt = Count();
        await HybridFlowApp.EventuallyAsync(() => Count(from: stoppedAt, status: 503) >= 4, "the outage answered 503");
        // A wait for time itself: the outage lasts (as it always did) a reply job's lease, REPLY_JOB_LEASE_SECONDS (3 s), so
        // that leases taken before it run out during it.
        await Task.Delay(3000);
        await postgres.StartServerAgainAsync();
        var restartedAt = Count();
        await HybridFlowApp.EventuallyAsync(() => Count(from: restartedAt, status: 200) >= 16, "acknowledging again after the restart", TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await Task.WhenAll(senders);

        var statuses = results.GroupBy(r => r.Status).ToDictionary(g => g.Key, g => g.Count());
        TestContext.Out.WriteLine("statuses: " + string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}")));
        Assert.That(statuses.Keys, Is.SubsetOf(new[] { 200, 503 }), "the outage is 503 (Evolution retries it), never another error");
        Assert.That(statuses.GetValueOrDefault(503), Is.GreaterThan(0), "the outage was seen");
        var lastResults = results.TakeLast(8).Select(r => r.Status).ToList();
        Assert.That(lastResults, Is.All.EqualTo(200), "recovered by itself");

        var acknowledged = results.Where(r => r.Status == 200).Select(r => r.Chat).ToList();
        foreach (var chat in acknowledged)
            Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = 'inbound'", chat),
                Is.EqualTo(1), $"acknowledged message of {chat} stored");
        await HybridFlowApp.EventuallyAsync(() => acknowledged.All(c => app.Evolution.SendsTo(c).Count >= 1), "every acknowledged message answered", TimeSpan.FromSeconds(60));
        await Marker.AnsweredAsync(app, instance);
        Assert.That(acknowledged.Select(c => app.Evolution.SendsTo(c).Count), Is.All.EqualTo(1), "and answered once");
    }
}
