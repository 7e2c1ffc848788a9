using HybridFlow.Application.Tenants;
using HybridFlow.Infrastructure.Settings;
using Microsoft.Extensions.Configuration;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>The LLM variables (LLM_PROVIDER, OPENAI_API_KEY, …) bound as text and checked when the host starts; see <see cref="LlmOptions"/>.</summary>
internal sealed class LlmSettings : ISettingsChecks
{
    [ConfigurationKeyName("LLM_PROVIDER")] public string? Provider { get; set; }
    [ConfigurationKeyName("OPENAI_API_KEY")] public string? OpenAiApiKey { get; set; }
    [ConfigurationKeyName("OPENAI_BASE_URL"), HttpUrl] public string? OpenAiBaseUrl { get; set; }
    [ConfigurationKeyName("OPENAI_MODEL")] public string? OpenAiModel { get; set; }
    [ConfigurationKeyName("ANTHROPIC_API_KEY")] public string? AnthropicApiKey { get; set; }
    [ConfigurationKeyName("ANTHROPIC_BASE_URL"), HttpUrl] public string? AnthropicBaseUrl { get; set; }
    [ConfigurationKeyName("ANTHROPIC_MODEL")] public string? AnthropicModel { get; set; }
    [ConfigurationKeyName("TRANSCRIPTION_MODEL")] public string? TranscriptionModel { get; set; }
    [ConfigurationKeyName("LLM_MAX_TOKENS"), Number(1, int.MaxValue, WholeNumber = true, Message = "must be a positive whole number.")]
    public string? MaxTokens { get; set; }
    [ConfigurationKeyName("LLM_TIMEOUT"), Number(0, 3600, ExclusiveMinimum = true, Message = "must be a positive number of seconds (at most 3600).")]
    public string? Timeout { get; set; }
    [ConfigurationKeyName("LLM_STATIC_REPLY")] public string? StaticReply { get; set; }
    [ConfigurationKeyName("LLM_MAX_CONCURRENCY"), Number(0, 100_000, WholeNumber = true, Message = "must be a whole number of calls (0 for no limit).")]
    public string? MaxConcurrency { get; set; }
    [ConfigurationKeyName("LLM_ALLOWED_MODELS")] public string? AllowedModelList { get; set; }

    public IEnumerable<Action> Checks => [CheckProvider, () => AllowedModels()];

    private void CheckProvider()
    {
        if (SettingText.Value(Provider) is { } provider && LlmOptions.NormalizeProvider(provider) is null)
            throw new InvalidOperationException(
                $"LLM_PROVIDER must be '{LlmOptions.OpenAiProvider}', '{LlmOptions.AnthropicProvider}' or '{LlmOptions.StaticProvider}'.");
    }

    public IReadOnlyList<(string Provider, string Model)> AllowedModels()
    {
        try
        {
            return PlatformModels.ParseList(SettingText.Value(AllowedModelList));
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"LLM_ALLOWED_MODELS: {e.Message}");
        }
    }
}
