using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>
/// What every model client does with the transport, whatever the provider: LLM_TIMEOUT is a retryable failure after
/// one request, the caller's cancellation is honoured, an unreachable server is retryable. The provider fixtures add
/// their own wire format and error mapping.
/// </summary>
// One fake server per fixture, reset before each test, so the tests of a fixture must not overlap.
public abstract partial class ReplyGeneratorContractTests<TGenerator> where TGenerator : IReplyGenerator
{
    private readonly List<TGenerator> _generators = [];

    protected FakeLlmServer Server { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServer() => Server = await FakeLlmServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await Server.DisposeAsync();

    [SetUp]
    public void ResetServer() => Server.Reset();

    [TearDown]
    public void DisposeGenerators()
    {
        foreach (var generator in _generators) (generator as IDisposable)?.Dispose();
        _generators.Clear();
    }

    /// <summary>The provider's client; disposed after the test when it is disposable.</summary>
    private protected abstract TGenerator Create(LlmOptions options);

    /// <summary>The provider's key and base URL pointing at <see cref="Server"/>, and <c>LLM_TIMEOUT=1</c>.</summary>
    protected abstract (string Key, string? Value)[] ServerSettings { get; }

    /// <summary>The provider's key and a base URL on a loopback port nothing listens on.</summary>
    protected abstract (string Key, string? Value)[] UnreachableSettings();

    /// <summary>A client of <see cref="Server"/>; <paramref name="extra"/> settings win over the defaults.</summary>
    protected TGenerator Generator(params (string Key, string? Value)[] extra) => Created(Options([.. ServerSettings, .. extra]));

    private protected TGenerator Created(LlmOptions options)
    {
        var generator = Create(options);
        _generators.Add(generator);
        return generator;
    }

    [Test]
    public async Task Generate_WhenServerIsSlowerThanTimeout_ThrowsNonPermanent()
    {
        Server.Delay = TimeSpan.FromSeconds(5);
        var serverAnswered = false;
        Server.Responder = _ => { Volatile.Write(ref serverAnswered, true); return null!; };
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.False);
            Assert.That(ex.Message, Does.Contain("within 1 s (LLM_TIMEOUT)"), "the 1 s timeout gave up, not another one");
            // An order of events, not wall time: the client gave up while the server still held its answer.
            Assert.That(Volatile.Read(ref serverAnswered), Is.False, "the client gave up before the server answered");
            Assert.That(Server.Requests, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Generate_WhenCallerCancels_ThrowsOperationCanceled()
    {
        Server.Delay = TimeSpan.FromSeconds(5);
        var generator = Generator(("LLM_TIMEOUT", "30"));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(
            async () => await generator.GenerateAsync(Prompt(), cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public async Task Generate_WhenServerIsUnreachable_ThrowsNonPermanent()
    {
        var generator = Created(Options(UnreachableSettings()));

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        Assert.That(ex.IsPermanent, Is.False);
    }

    /// <summary>The provider's error body for <paramref name="status"/>.</summary>
    protected abstract string ErrorJson(int status);

    [TestCase(429)]
    public Task Generate_WhenRateLimited_ThrowsRateLimitedWithTheRetryAfter(int status) => AssertRateLimitedWithTheRetryAfterAsync(status);

    /// <summary>The provider answers <paramref name="status"/> with Retry-After 7: a rate-limit failure carrying it, made without an SDK retry.</summary>
    protected async Task AssertRateLimitedWithTheRetryAfterAsync(int status)
    {
        Server.Responder = _ => new FakeResponse(status, ErrorJson(status), new Dictionary<string, string> { ["Retry-After"] = "7" });
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsRateLimited, Is.True);
            Assert.That(ex.IsPermanent, Is.False);
            Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(Server.Requests, Has.Count.EqualTo(1), "no SDK retry hides the 429");
        }
    }

    [Test]
    public async Task Generate_WhenRateLimitedWithRetryAfterMs_PrefersTheMilliseconds()
    {
        Server.Responder = _ => new FakeResponse(429, ErrorJson(429),
            new Dictionary<string, string> { ["Retry-After"] = "7", ["retry-after-ms"] = "1500" });
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        Assert.That(ex.RetryAfter, Is.EqualTo(TimeSpan.FromMilliseconds(1500)));
    }

    [TestCase(500)]
    public async Task Generate_WhenServerFailsWith500_IsNotRateLimited(int status)
    {
        Server.StatusCode = status;
        var generator = Generator();

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(() => generator.GenerateAsync(Prompt(), CancellationToken.None));

        Assert.That(ex.IsRateLimited, Is.False);
    }
}
