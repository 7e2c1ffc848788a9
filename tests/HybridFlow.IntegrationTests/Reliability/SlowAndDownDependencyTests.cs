using System.Net;
using System.Net.Sockets;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Reliability;

/// <summary>Evolution down for a long stretch, the model timing out: replies go out when they come back, or die with the reason; never twice.</summary>
public sealed class SlowAndDownDependencyTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        ["LLM_TIMEOUT"] = "1",
        ["EVOLUTION_TIMEOUT"] = "1",
        ["REPLY_MAX_ATTEMPTS"] = "7",
        ["REPLY_RETRY_BASE_SECONDS"] = "0.2",
    });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void Reset()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
    }

    [Test]
    public async Task EvolutionDown_ThenBack_TheReplyGoesOutOnce()
    {
        var port = FreePort();
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(evolution: new Uri($"http://127.0.0.1:{port}/"));
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Count(a => a == "ai_retry") >= 2,
            "attempts against the unreachable gateway");

        await using var revived = await FakeEvolutionServer.StartAsync(port);
        await HybridFlowApp.EventuallyAsync(() => revived.SendsTo(chat).Count == 1, "sent once Evolution is back", TimeSpan.FromSeconds(30));
        var marker = Payloads.NewChatId();
        await Marker.AfterAsync(
            () => _app.DeliverAsync(instance, Payloads.CustomerText(marker, "marcador")),
            () => Task.FromResult(revived.SendsTo(marker).Count >= 1), "a marker chat answered through the revived Evolution");
        Assert.That(revived.SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That(await _app.TimelineAsync(instance, chat), Does.Contain("ai_replied"));
    }

    [Test]
    public async Task ModelTimingOut_IsRetried_ThenAnsweredOnce()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var calls = 0;
        _app.Llm.Responder = _ =>
        {
            if (Interlocked.Increment(ref calls) <= 2) Thread.Sleep(2500);
            return new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Enfim, a resposta"));
        };
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "answered after the timeouts", TimeSpan.FromSeconds(30));
        await Marker.AnsweredAsync(_app, instance);
        Assert.That(_app.Evolution.SendsTo(chat), Has.Count.EqualTo(1));
        Assert.That((await _app.TimelineAsync(instance, chat)).Count(a => a == "ai_retry"), Is.EqualTo(2));
    }

    [Test]
    public async Task ModelAlwaysTimingOut_TheJobDies_WithTheReasonOnTheTimeline()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Llm.Delay = TimeSpan.FromSeconds(3);
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "the job dead", TimeSpan.FromSeconds(60));
        var detail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'ai_failed'", chat);
        Assert.That(detail, Does.Contain("llm"));
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }

    [Test]
    public async Task EvolutionAcceptingButAnsweringTooLate_IsConfirmedFromItsRecord_NeverSentAgain()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Evolution.Delay = TimeSpan.FromSeconds(3);
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_send_confirmed"), "confirmed", TimeSpan.FromSeconds(30));
        var marker = await Marker.ResolvedAsync(_app, instance); // its lost answer is not held back by the fake's delay
        Assert.That(marker.Without(_app.Evolution.CallsTo("/message/sendText/")), Has.Count.EqualTo(1), "a send whose outcome is unknown is not repeated");
        var job = await _app.ScalarAsync<string>("SELECT j.status || ' ' || j.last_error FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat);
        Assert.That(job, Does.StartWith("sent").And.Contain("may have been sent"));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
