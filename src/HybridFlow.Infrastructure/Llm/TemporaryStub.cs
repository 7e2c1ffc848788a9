using HybridFlow.Application.Common.Interfaces;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Llm;

public static class LlmServiceCollectionExtensions
{
    public static IServiceCollection AddLlmProviders(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IReplyGenerator, StubGenerator>();
        return services;
    }

    private sealed class StubGenerator : IReplyGenerator
    {
        public Task<string> GenerateAsync(ReplyPrompt prompt, CancellationToken ct) => Task.FromResult("stub");
    }
}
