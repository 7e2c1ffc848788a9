using HybridFlow.Application.Tenants;
using static HybridFlow.Infrastructure.Settings.SettingText;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>The LLM settings the model clients use, built from the bound and checked <see cref="LlmSettings"/>.</summary>
internal sealed class LlmOptions
{
    public const string OpenAiProvider = "openai";
    public const string AnthropicProvider = "anthropic";
    public const string StaticProvider = "static";

    public const string DefaultOpenAiModel = "gpt-4o-mini";
    public const string DefaultAnthropicModel = "claude-sonnet-4-5";
    public const string DefaultTranscriptionModel = "whisper-1";
    public const int DefaultMaxTokens = 1024;
    public const string DefaultStaticReply = "Thanks for your message! We'll get back to you shortly.";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Provider used when the tenant names none: <c>openai</c>, <c>anthropic</c> or <c>static</c>.</summary>
    public string Provider { get; private init; } = StaticProvider;

    public string? OpenAiApiKey { get; private init; }

    /// <summary>OpenAI-compatible endpoint including its version segment, e.g. <c>http://localhost:11434/v1</c>.</summary>
    public Uri? OpenAiBaseUrl { get; private init; }

    public string OpenAiModel { get; private init; } = DefaultOpenAiModel;

    public string? AnthropicApiKey { get; private init; }

    /// <summary>Root of an Anthropic-compatible API; the SDK appends <c>/v1/messages</c>.</summary>
    public Uri? AnthropicBaseUrl { get; private init; }

    public string AnthropicModel { get; private init; } = DefaultAnthropicModel;

    /// <summary>TRANSCRIPTION_MODEL: the OpenAI speech-to-text model when the tenant names none.</summary>
    public string TranscriptionModel { get; private init; } = DefaultTranscriptionModel;

    public int MaxTokens { get; private init; } = DefaultMaxTokens;

    public TimeSpan Timeout { get; private init; } = DefaultTimeout;

    public string StaticReply { get; private init; } = DefaultStaticReply;

    /// <summary>LLM_STATIC_REPLY was set: it wins over the tenant language's no-model reply.</summary>
    public bool IsStaticReplySet { get; private init; }

    /// <summary>LLM_MAX_CONCURRENCY: calls in flight per provider and model in this process; null (unset or 0) for no limit.</summary>
    public int? MaxConcurrency { get; private init; }

    /// <summary>LLM_ALLOWED_MODELS: models beyond the configured ones that tenants on the platform's key may choose.</summary>
    public IReadOnlyList<(string Provider, string Model)> AllowedModels { get; private init; } = [];

    /// <summary>A local OpenAI-compatible server (Ollama, vLLM) needs only a base URL.</summary>
    public bool IsOpenAiConfigured => OpenAiApiKey is not null || OpenAiBaseUrl is not null;

    public bool IsAnthropicConfigured => AnthropicApiKey is not null;

    /// <summary>Built from the bound, already checked <paramref name="settings"/>.</summary>
    internal LlmOptions(LlmSettings settings)
    {
        OpenAiApiKey = Value(settings.OpenAiApiKey);
        OpenAiBaseUrl = HttpUrl(settings.OpenAiBaseUrl);
        AnthropicApiKey = Value(settings.AnthropicApiKey);
        Provider = NormalizeProvider(Value(settings.Provider))
            ?? (IsOpenAiConfigured ? OpenAiProvider : IsAnthropicConfigured ? AnthropicProvider : StaticProvider);
        OpenAiModel = Value(settings.OpenAiModel) ?? DefaultOpenAiModel;
        AnthropicBaseUrl = HttpUrl(settings.AnthropicBaseUrl);
        AnthropicModel = Value(settings.AnthropicModel) ?? DefaultAnthropicModel;
        TranscriptionModel = Value(settings.TranscriptionModel) ?? DefaultTranscriptionModel;
        MaxTokens = WholeNumber(settings.MaxTokens, DefaultMaxTokens);
        Timeout = TimeSpan.FromSeconds(Number(settings.Timeout, DefaultTimeout.TotalSeconds));
        StaticReply = Value(settings.StaticReply) ?? DefaultStaticReply;
        IsStaticReplySet = Value(settings.StaticReply) is not null;
        MaxConcurrency = WholeNumber(settings.MaxConcurrency, 0) is > 0 and var cap ? cap : null;
        AllowedModels = settings.AllowedModels();
    }

    /// <summary>The model allow-list the Application checks tenants' choices against.</summary>
    public PlatformModels ToPlatformModels() => new(Provider, OpenAiModel, AnthropicModel, TranscriptionModel, AllowedModels);

    /// <summary>The provider a call goes to, as the router picks it: the tenant's (null when unknown), else LLM_PROVIDER.</summary>
    public string? ProviderFor(string? tenantProvider) =>
        string.IsNullOrWhiteSpace(tenantProvider) ? Provider : NormalizeProvider(tenantProvider);

    /// <summary>The model a call to <paramref name="provider"/> uses: the tenant's, else the provider's configured one (null for static).</summary>
    public string? ModelFor(string? provider, string? tenantModel) =>
        !string.IsNullOrWhiteSpace(tenantModel) ? tenantModel.Trim() : provider switch
        {
            OpenAiProvider => OpenAiModel,
            AnthropicProvider => AnthropicModel,
            _ => null,
        };

    /// <summary>Lower-cased provider name if it is one we know, otherwise null.</summary>
    public static string? NormalizeProvider(string? provider) => provider?.Trim().ToLowerInvariant() switch
    {
        OpenAiProvider => OpenAiProvider,
        AnthropicProvider => AnthropicProvider,
        StaticProvider => StaticProvider,
        _ => null,
    };
}
