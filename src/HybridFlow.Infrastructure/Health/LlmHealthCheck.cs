using HybridFlow.Infrastructure.Llm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HybridFlow.Infrastructure.Health;

/// <summary>
/// The default LLM provider is configured: healthy for static; for openai/anthropic healthy when its key (or, for an
/// OpenAI-compatible server, its base URL) is set, and a custom base URL also has to accept connections. The paid API is
/// never called from a health check.
/// </summary>
internal sealed class LlmHealthCheck : IHealthCheck
{
    private readonly IServiceProvider _services;
    private readonly OperationsOptions _operations;

    public LlmHealthCheck(IServiceProvider services, OperationsOptions operations)
    {
        _services = services;
        _operations = operations;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        LlmOptions options;
        try
        {
            // Resolved here, not injected: a malformed LLM setting must show up as this check's error, not as a 500 of /health.
            options = _services.GetRequiredService<LlmOptions>();
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException e)
        {
            // The message names the variable, never its value.
            return HealthCheckResult.Unhealthy(e.Message);
        }

        // Out of credit: the model answers no one, but the service itself is up (degraded, not 503).
        if (_services.GetService<LlmAccountStatus>() is { } accounts)
        {
            var now = (_services.GetService<TimeProvider>() ?? TimeProvider.System).GetUtcNow();
            foreach (var provider in new[] { LlmOptions.OpenAiProvider, LlmOptions.AnthropicProvider })
            {
                if (accounts.ExhaustedUntil(provider, now) is { } until)
                    return HealthCheckResult.Degraded(
                        $"{provider}: the platform's account is out of credit; its jobs fail at once until {until:O} (LLM_ACCOUNT_RETRY_MINUTES), then it is tried again.");
            }
        }

        return options.Provider switch
        {
            LlmOptions.OpenAiProvider when !options.IsOpenAiConfigured =>
                HealthCheckResult.Unhealthy("LLM_PROVIDER is openai but neither OPENAI_API_KEY nor OPENAI_BASE_URL is set."),
            LlmOptions.OpenAiProvider when options.OpenAiBaseUrl is { } url =>
                await CheckCustomServerAsync("openai", options.OpenAiModel, url, "OPENAI_BASE_URL", cancellationToken),
            LlmOptions.OpenAiProvider => HealthCheckResult.Healthy($"openai ({options.OpenAiModel}), API key configured"),
            LlmOptions.AnthropicProvider when !options.IsAnthropicConfigured =>
                HealthCheckResult.Unhealthy("LLM_PROVIDER is anthropic but ANTHROPIC_API_KEY is not set."),
            LlmOptions.AnthropicProvider when options.AnthropicBaseUrl is { } url =>
                await CheckCustomServerAsync("anthropic", options.AnthropicModel, url, "ANTHROPIC_BASE_URL", cancellationToken),
            LlmOptions.AnthropicProvider => HealthCheckResult.Healthy($"anthropic ({options.AnthropicModel}), API key configured"),
            _ => HealthCheckResult.Healthy("static replies (no model)"),
        };
    }

    private async Task<HealthCheckResult> CheckCustomServerAsync(string provider, string model, Uri url, string variable, CancellationToken ct) =>
        await Reachability.AcceptsConnectionsAsync(url, _operations.ProbeTimeout, ct)
            ? HealthCheckResult.Healthy($"{provider} ({model}) at {variable}, reachable")
            : HealthCheckResult.Unhealthy($"{provider}: the {variable} host does not accept connections.");
}
