using HybridFlow.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Llm;

public static class LlmServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="LlmOptions"/>, the OpenAI, Anthropic and static generators, and
    /// <see cref="IReplyGenerator"/> as <see cref="RoutingReplyGenerator"/>, all singletons so each SDK client
    /// (and its connection pool) is built once.
    /// </summary>
    public static IServiceCollection AddLlmProviders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        // Read on first use, not now, so configuration sources added after registration (test hosts) still count.
        services.AddSingleton(_ => LlmOptions.FromConfiguration(configuration));
        services.AddSingleton<OpenAiReplyGenerator>();
        services.AddSingleton<AnthropicReplyGenerator>();
        services.AddSingleton<StaticReplyGenerator>();
        services.AddSingleton<RoutingReplyGenerator>();
        services.AddSingleton<IReplyGenerator>(sp => sp.GetRequiredService<RoutingReplyGenerator>());
        return services;
    }
}
