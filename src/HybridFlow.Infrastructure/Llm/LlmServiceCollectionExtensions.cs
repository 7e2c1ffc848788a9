using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Security;
using HybridFlow.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Llm;

internal static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LlmOptions"/>, the shared <see cref="LlmClients"/>, the OpenAI, Anthropic and static
    /// generators, the <see cref="ISpeechTranscriber"/>, and
    /// <see cref="IReplyGenerator"/> as <see cref="RoutingReplyGenerator"/>, all singletons so each SDK client
    /// (and its connection pool) is built once.
    /// </summary>
    public static IServiceCollection AddLlmProviders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Bound on first use (or at start), not now, so configuration sources added after registration (test hosts) still count.
        services.AddSettings<LlmSettings>(configuration);
        services.AddSingleton(sp => new LlmOptions(sp.Settings<LlmSettings>()));
        services.AddSingleton(sp => sp.GetRequiredService<LlmOptions>().ToPlatformModels());
        // Hosts without the outbound settings (tool and test containers) still guard tenant URLs, with the defaults.
        services.AddSingleton(sp => new LlmClients(
            sp.GetRequiredService<LlmOptions>(),
            sp.GetService<OutboundAddressGuard>() ?? new OutboundAddressGuard(new OutboundAddressOptions())));
        services.AddSingleton(sp => new OpenAiReplyGenerator(sp.GetRequiredService<LlmOptions>(), sp.GetRequiredService<LlmClients>()));
        services.AddSingleton(sp => new AnthropicReplyGenerator(sp.GetRequiredService<LlmOptions>(), sp.GetRequiredService<LlmClients>()));
        services.AddSingleton<ISpeechTranscriber, OpenAiSpeechTranscriber>();
        services.AddSingleton<StaticReplyGenerator>();
        services.AddSingleton<RoutingReplyGenerator>();
        services.AddSingleton<IReplyGenerator>(sp => sp.GetRequiredService<RoutingReplyGenerator>());
        return services;
    }
}
