using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Llm;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Llm;

internal static class LlmTestSupport
{
    public const string SystemPrompt = "You are the helpful assistant of Padaria Central.";

    public static LlmOptions Options(params (string Key, string? Value)[] settings)
    {
        // Later settings win, so tests can override a fixture's defaults.
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        // Bound and checked as the host does: a bad value throws OptionsValidationException naming the variable.
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        using var services = new ServiceCollection().AddLlmProviders(configuration).BuildServiceProvider();
        return services.GetRequiredService<LlmOptions>();
    }

    public static ReplyPrompt Prompt(string? provider = null, string? model = null, params ConversationTurn[] history) =>
        new(provider, model, SystemPrompt, history.Length > 0 ? history : [Customer("Olá, vocês abrem amanhã?")]);

    public static ConversationTurn Customer(string text) => new(ConversationRole.Customer, text);

    public static ConversationTurn Assistant(string text) => new(ConversationRole.Assistant, text);

    /// <summary>A loopback port nothing listens on, for "server unreachable" cases.</summary>
    public static Uri UnusedLocalUrl(string path)
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}{path}");
    }
}
