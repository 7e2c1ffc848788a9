using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using static HybridFlow.IntegrationTests.Llm.LlmTestSupport;

namespace HybridFlow.IntegrationTests.Llm;

// One fake server per fixture, reset before each test, so the tests of a fixture must not overlap.
public sealed class RoutingReplyGeneratorTests
{
    private FakeLlmServer _server = null!;
    private readonly List<ServiceProvider> _providers = [];

    [OneTimeSetUp]
    public async Task StartServer() => _server = await FakeLlmServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void ResetServer() => _server.Reset();

    [TearDown]
    public async Task DisposeProviders()
    {
        foreach (var provider in _providers)
        {
            await provider.DisposeAsync();
        }

        _providers.Clear();
    }

    private IReplyGenerator Router(params (string Key, string? Value)[] settings)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var provider = new ServiceCollection().AddLlmProviders(configuration).BuildServiceProvider(validateScopes: true);
        _providers.Add(provider);
        return provider.GetRequiredService<IReplyGenerator>();
    }

    private IReplyGenerator RouterWithBothProviders(string defaultProvider) => Router(
        ("LLM_PROVIDER", defaultProvider),
        ("OPENAI_API_KEY", "sk-openai"),
        ("OPENAI_BASE_URL", _server.OpenAiBaseUrl.ToString()),
        ("ANTHROPIC_API_KEY", "sk-ant"),
        ("ANTHROPIC_BASE_URL", _server.BaseAddress.ToString()),
        ("LLM_STATIC_REPLY", "Resposta fixa"));

    [TestCase("openai", "/v1/chat/completions")]
    [TestCase("OpenAI", "/v1/chat/completions")]
    [TestCase("anthropic", "/v1/messages")]
    [TestCase(" Anthropic ", "/v1/messages")]
    public async Task Generate_WhenTenantNamesProvider_UsesItOverLlmProvider(string tenantProvider, string expectedPath)
    {
        var router = RouterWithBothProviders(defaultProvider: "static");

        var reply = (await router.GenerateAsync(Prompt(provider: tenantProvider), CancellationToken.None)).Text;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply, Is.EqualTo("Hello from the fake model"));
            Assert.That(_server.Requests.Single().Path, Is.EqualTo(expectedPath));
        }
    }

    [TestCase("openai", "/v1/chat/completions")]
    [TestCase("anthropic", "/v1/messages")]
    public async Task Generate_WhenTenantNamesNoProvider_FallsBackToLlmProvider(string defaultProvider, string expectedPath)
    {
        var router = RouterWithBothProviders(defaultProvider);

        await router.GenerateAsync(Prompt(provider: null), CancellationToken.None);
        await router.GenerateAsync(Prompt(provider: ""), CancellationToken.None);

        Assert.That(_server.Requests.Select(r => r.Path), Is.EqualTo(new[] { expectedPath, expectedPath }));
    }

    [Test]
    public async Task Generate_WhenProviderIsStatic_ReturnsConfiguredTextWithoutCallingAnyServer()
    {
        var router = RouterWithBothProviders(defaultProvider: "openai");

        var reply = (await router.GenerateAsync(Prompt(provider: "static"), CancellationToken.None)).Text;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reply, Is.EqualTo("Resposta fixa"));
            Assert.That(_server.Requests, Is.Empty);
        }
    }

    [Test]
    public async Task Generate_WhenNothingIsConfigured_ReturnsDefaultStaticReply()
    {
        var router = Router();

        var reply = (await router.GenerateAsync(Prompt(), CancellationToken.None)).Text;

        Assert.That(reply, Is.EqualTo(LlmOptions.DefaultStaticReply));
    }

    [Test]
    public async Task Generate_WhenProviderIsUnknown_ThrowsPermanent()
    {
        var router = RouterWithBothProviders(defaultProvider: "openai");

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => router.GenerateAsync(Prompt(provider: "gemini"), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain("gemini"));
            Assert.That(_server.Requests, Is.Empty);
        }
    }

    [TestCase("openai", "OPENAI_API_KEY")]
    [TestCase("anthropic", "ANTHROPIC_API_KEY")]
    public async Task Generate_WhenChosenProviderHasNoKey_ThrowsPermanent(string tenantProvider, string missingVariable)
    {
        var router = Router(("LLM_PROVIDER", "static"), ("ANTHROPIC_BASE_URL", _server.BaseAddress.ToString()));

        var ex = await Assert.ThrowsAsync<ReplyGenerationException>(
            () => router.GenerateAsync(Prompt(provider: tenantProvider), CancellationToken.None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.IsPermanent, Is.True);
            Assert.That(ex.Message, Does.Contain(missingVariable));
            Assert.That(_server.Requests, Is.Empty);
        }
    }

    [Test]
    public void AddLlmProviders_RegistersSingletons()
    {
        var configuration = new ConfigurationBuilder().Build();
        using var provider = new ServiceCollection().AddLlmProviders(configuration).BuildServiceProvider(validateScopes: true);
        var first = provider.GetRequiredService<IReplyGenerator>();
        var firstOptions = provider.GetRequiredService<LlmOptions>();
        var clients = provider.GetRequiredService<LlmClients>();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Is.InstanceOf<RoutingReplyGenerator>());
            Assert.That(provider.GetRequiredService<IReplyGenerator>(), Is.SameAs(first));
            Assert.That(provider.GetRequiredService<LlmOptions>(), Is.SameAs(firstOptions));
            Assert.That(provider.GetRequiredService<OpenAiReplyGenerator>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<AnthropicReplyGenerator>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<StaticReplyGenerator>(), Is.Not.Null);
            Assert.That(provider.GetRequiredService<ISpeechTranscriber>(), Is.InstanceOf<OpenAiSpeechTranscriber>());
            Assert.That(provider.GetRequiredService<LlmClients>(), Is.SameAs(clients), "one client cache");
        }
    }

    [Test]
    public void Generate_WhenStaticGeneratorIsCancelled_ThrowsOperationCanceled()
    {
        var generator = new StaticReplyGenerator(Options());
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.That(
            async () => await generator.GenerateAsync(Prompt(), cts.Token),
            Throws.InstanceOf<OperationCanceledException>());
    }
}
