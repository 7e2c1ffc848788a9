using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using HybridFlow.Infrastructure.Observability;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>Both LLM SDKs put the prompt's correlation id on the wire as X-Correlation-Id, and nothing when there is none.</summary>
public sealed class OutboundCorrelationTests
{
    private FakeLlmServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await FakeLlmServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void ResetServer() => _server.Reset();

    private ServiceProvider Services(string provider) => new ServiceCollection()
        .AddMetrics()
        .AddLlmProviders(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = provider,
            ["OPENAI_API_KEY"] = "sk-openai",
            ["OPENAI_BASE_URL"] = _server.OpenAiBaseUrl.ToString(),
            ["ANTHROPIC_API_KEY"] = "sk-ant",
            ["ANTHROPIC_BASE_URL"] = _server.BaseAddress.ToString(),
        }).Build())
        .AddSingleton<HybridFlowMetrics>()
        .AddSingleton<MeteredReplyGenerator>()
        .BuildServiceProvider();

    private static ReplyPrompt Prompt(string? correlationId) =>
        new(null, null, "Seja breve.", [new ConversationTurn(ConversationRole.Customer, "Oi")], correlationId);

    [TestCase("openai")]
    [TestCase("anthropic")]
    public async Task ModelCall_CarriesThePromptsCorrelationId(string provider)
    {
        await using var services = Services(provider);
        var generator = services.GetRequiredService<MeteredReplyGenerator>();

        await generator.GenerateAsync(Prompt("job-corr-42"), CancellationToken.None);
        await generator.GenerateAsync(Prompt(null), CancellationToken.None);

        var requests = _server.Requests;
        Assert.That(requests, Has.Count.EqualTo(2));
        Assert.That(requests[0].Header("X-Correlation-Id"), Is.EqualTo("job-corr-42"));
        Assert.That(requests[1].Header("X-Correlation-Id"), Is.Null, "no id is invented for a prompt without one");
        Assert.That(OutboundCorrelation.Id, Is.Null, "the id does not leak past the call");
    }
}
