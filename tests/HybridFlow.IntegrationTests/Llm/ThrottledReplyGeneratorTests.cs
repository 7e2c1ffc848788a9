using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using HybridFlow.Domain.Tenants;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>The registered <see cref="IReplyGenerator"/> (throttle, meter, router, SDK) against the fake model, with no workers running.</summary>
public sealed class ThrottledReplyGeneratorTests
{
    private HybridFlowApp _app = null!;

    [SetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["WORKERS_ENABLED"] = "false" });

    [TearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private IReplyGenerator Generator => _app.Services.GetRequiredService<IReplyGenerator>();

    [Test]
    public void Registration_IsTheThrottleAroundTheMeteredRouter() =>
        Assert.That(Generator, Is.TypeOf<ThrottledReplyGenerator>());

    [Test]
    public async Task Generate_AfterALongRetryAfter_RefusesTheNextCallsWithoutCallingTheProvider()
    {
        _app.Llm.Responder = _ => new FakeResponse(429, FakeLlmServer.OpenAiErrorJson(429), new Dictionary<string, string> { ["Retry-After"] = "20" });

        var first = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(Prompt(), CancellationToken.None));
        var firstAnswered = _app.Clock.GetUtcNow();
        var second = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(Prompt(), CancellationToken.None));
        var secondAnswered = _app.Clock.GetUtcNow();

        // Relative to the 429 itself (when the fake received the call), not a window of wall time: the backoff is the
        // provider's 20 s plus at most 1 s of jitter, counted from no earlier than the call, and only shrinks as time passes.
        var limitedAt = _app.Llm.Requests.Single().ReceivedAt;
        var retryAfter = TimeSpan.FromSeconds(20);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.IsRateLimited && second.IsRateLimited, Is.True);
            Assert.That(first.RetryAfter, Is.LessThanOrEqualTo(retryAfter + TimeSpan.FromSeconds(1)).And.GreaterThanOrEqualTo(retryAfter - (firstAnswered - limitedAt)));
            Assert.That(second.RetryAfter, Is.GreaterThanOrEqualTo(retryAfter - (secondAnswered - limitedAt)).And.LessThanOrEqualTo(first.RetryAfter!.Value));
            Assert.That(_app.Llm.Requests, Has.Count.EqualTo(1), "the second caller waits for the backoff without a call");
        }
    }

    [Test]
    public async Task Generate_AfterAShortRetryAfter_TheNextCallerWaitsItOut_ThenIsAnswered()
    {
        var calls = 0;
        _app.Llm.Responder = _ => Interlocked.Increment(ref calls) == 1
            ? new FakeResponse(429, FakeLlmServer.OpenAiErrorJson(429), new Dictionary<string, string> { ["Retry-After"] = "1" })
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Pronto"));

        var limited = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(Prompt(), CancellationToken.None));
        var reply = (await Generator.GenerateAsync(Prompt(), CancellationToken.None)).Text;

        var requests = _app.Llm.Requests;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(limited.IsRateLimited, Is.True);
            Assert.That(reply, Is.EqualTo("Pronto"));
            Assert.That(requests, Has.Count.EqualTo(2));
            Assert.That(requests[1].ReceivedAt - requests[0].ReceivedAt, Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(980)));
        }
    }

    [Test]
    public async Task Generate_AnotherModel_IsNotHeldBackByTheRateLimitedOne()
    {
        _app.Llm.Responder = request => request.Json.GetProperty("model").GetString() == "gpt-busy"
            ? new FakeResponse(429, FakeLlmServer.OpenAiErrorJson(429), new Dictionary<string, string> { ["Retry-After"] = "20" })
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-free", "Livre"));

        await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(Prompt(model: "gpt-busy"), CancellationToken.None));

        Assert.That((await Generator.GenerateAsync(Prompt(model: "gpt-free"), CancellationToken.None)).Text, Is.EqualTo("Livre"));
    }

    [Test]
    public async Task Generate_ATenantsOwnAccountRateLimited_HoldsBackNeitherThePlatformNorAnotherTenant()
    {
        const string busyKey = "sk-tenant-busy-0123456789";
        const string freeKey = "sk-tenant-free-9876543210";
        _app.Llm.Responder = request => request.ApiKey == busyKey
            ? new FakeResponse(429, FakeLlmServer.OpenAiErrorJson(429), new Dictionary<string, string> { ["Retry-After"] = "20" })
            : new FakeResponse(200, FakeLlmServer.OpenAiCompletionJson("gpt-test", "Livre"));
        var busy = Prompt() with { Credentials = new LlmCredentials(busyKey, null) };

        var limited = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(busy, CancellationToken.None));
        var heldBack = await Assert.ThrowsAsync<ReplyGenerationException>(() => Generator.GenerateAsync(busy, CancellationToken.None));
        var platform = await Generator.GenerateAsync(Prompt(), CancellationToken.None);
        var otherTenant = await Generator.GenerateAsync(Prompt() with { Credentials = new LlmCredentials(freeKey, null) }, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(limited.IsRateLimited && heldBack.IsRateLimited, Is.True);
            Assert.That(_app.Llm.Requests.Count(r => r.ApiKey == busyKey), Is.EqualTo(1), "the busy account waits out its own backoff");
            Assert.That(platform.Text, Is.EqualTo("Livre"));
            Assert.That(otherTenant.Text, Is.EqualTo("Livre"));
            Assert.That(limited.Message + heldBack.Message, Does.Not.Contain(busyKey));
        }
    }
}
