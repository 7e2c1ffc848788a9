using HybridFlow.Application.Health;
using HybridFlow.Infrastructure.Llm;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.Infrastructure.Health;

/// <summary>
/// The default LLM provider is configured: "ok" for static; for openai/anthropic "ok" when its key (or, for an
/// OpenAI-compatible server, its base URL) is set, and a custom base URL also has to accept connections. The paid API is
/// never called from a health check.
/// </summary>
public sealed class LlmHealthProbe : IHealthProbe
{
    private readonly IServiceProvider _services;
    private readonly OperationsOptions _operations;

    public LlmHealthProbe(IServiceProvider services, OperationsOptions operations)
    {
        _services = services;
        _operations = operations;
    }

    public string Name => "llm";

    public async Task<HealthCheckResult> CheckAsync(CancellationToken ct)
    {
        LlmOptions options;
        try
        {
            // Resolved here, not injected: a malformed LLM setting must show up as this check's error, not as a 500 of /health.
            options = _services.GetRequiredService<LlmOptions>();
        }
        catch (InvalidOperationException e)
        {
            // The message names the variable, never its value.
            return new HealthCheckResult("error", e.Message);
        }

        return options.Provider switch
        {
            LlmOptions.OpenAiProvider when !options.IsOpenAiConfigured =>
                new HealthCheckResult("error", "LLM_PROVIDER is openai but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set."),
            LlmOptions.OpenAiProvider when options.OpenAiBaseUrl is { } url =>
                await CheckCustomServerAsync("openai", options.OpenAiModel, url, "OPENAI_BASE_URL", ct),
            LlmOptions.OpenAiProvider => new HealthCheckResult("ok", $"openai ({options.OpenAiModel}), API key configured"),
            LlmOptions.AnthropicProvider when !options.IsAnthropicConfigured =>
                new HealthCheckResult("error", "LLM_PROVIDER is anthropic but ANTHROPIC_API_KEY is not set."),
            LlmOptions.AnthropicProvider when options.AnthropicBaseUrl is { } url =>
                await CheckCustomServerAsync("anthropic", options.AnthropicModel, url, "ANTHROPIC_BASE_URL", ct),
            LlmOptions.AnthropicProvider => new HealthCheckResult("ok", $"anthropic ({options.AnthropicModel}), API key configured"),
            _ => new HealthCheckResult("ok", "static replies (no model)"),
        };
    }

    private async Task<HealthCheckResult> CheckCustomServerAsync(string provider, string model, Uri url, string variable, CancellationToken ct) =>
        await Reachability.AcceptsConnectionsAsync(url, _operations.ProbeTimeout, ct)
            ? new HealthCheckResult("ok", $"{provider} ({model}) at {variable}, reachable")
            : new HealthCheckResult("error", $"{provider}: the {variable} host does not accept connections.");
}
