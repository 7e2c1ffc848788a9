using System.Globalization;
using HybridFlow.Application.Tenants;
using Microsoft.Extensions.Configuration;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>LLM settings read from environment-style keys (LLM_PROVIDER, OPENAI_API_KEY, …).</summary>
public sealed class LlmOptions
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

    private static readonly TimeSpan MaxTimeout = TimeSpan.FromHours(1);

    private LlmOptions()
    {
    }

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

    /// <summary>LLM_MAX_CONCURRENCY: calls in flight per provider and model in this process; null (unset or 0) for no limit.</summary>
    public int? MaxConcurrency { get; private init; }

    /// <summary>LLM_ALLOWED_MODELS: models beyond the configured ones that tenants on the platform's key may choose.</summary>
    public IReadOnlyList<(string Provider, string Model)> AllowedModels { get; private init; } = [];

    /// <summary>A local OpenAI-compatible server (Ollama, vLLM) needs only a base URL.</summary>
    public bool IsOpenAiConfigured => OpenAiApiKey is not null || OpenAiBaseUrl is not null;

    public bool IsAnthropicConfigured => AnthropicApiKey is not null;

    /// <exception cref="InvalidOperationException">A value is malformed; the message names the variable, never its value.</exception>
    public static LlmOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        var openAiKey = Read(configuration, "OPENAI_API_KEY");
        var openAiBaseUrl = ReadUrl(configuration, "OPENAI_BASE_URL");
        var anthropicKey = Read(configuration, "ANTHROPIC_API_KEY");

        return new LlmOptions
        {
            Provider = ReadProvider(configuration, openAiKey is not null || openAiBaseUrl is not null, anthropicKey is not null),
            OpenAiApiKey = openAiKey,
            OpenAiBaseUrl = openAiBaseUrl,
            OpenAiModel = Read(configuration, "OPENAI_MODEL") ?? DefaultOpenAiModel,
            AnthropicApiKey = anthropicKey,
            AnthropicBaseUrl = ReadUrl(configuration, "ANTHROPIC_BASE_URL"),
            AnthropicModel = Read(configuration, "ANTHROPIC_MODEL") ?? DefaultAnthropicModel,
            TranscriptionModel = Read(configuration, "TRANSCRIPTION_MODEL") ?? DefaultTranscriptionModel,
            MaxTokens = ReadMaxTokens(configuration),
            Timeout = ReadTimeout(configuration),
            StaticReply = Read(configuration, "LLM_STATIC_REPLY") ?? DefaultStaticReply,
            MaxConcurrency = ReadMaxConcurrency(configuration),
            AllowedModels = ReadAllowedModels(configuration),
        };
    }

    /// <summary>The model allow-list the Application checks tenants' choices against.</summary>
    public PlatformModels ToPlatformModels() => new(Provider, OpenAiModel, AnthropicModel, TranscriptionModel, AllowedModels);

    private static IReadOnlyList<(string Provider, string Model)> ReadAllowedModels(IConfiguration configuration)
    {
        try
        {
            return PlatformModels.ParseList(Read(configuration, "LLM_ALLOWED_MODELS"));
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"LLM_ALLOWED_MODELS: {e.Message}");
        }
    }

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

    private static string ReadProvider(IConfiguration configuration, bool hasOpenAi, bool hasAnthropic)
    {
        var raw = Read(configuration, "LLM_PROVIDER");
        if (raw is null)
        {
            return hasOpenAi ? OpenAiProvider : hasAnthropic ? AnthropicProvider : StaticProvider;
        }

        return NormalizeProvider(raw)
            ?? throw new InvalidOperationException(
                $"LLM_PROVIDER must be '{OpenAiProvider}', '{AnthropicProvider}' or '{StaticProvider}'.");
    }

    private static int ReadMaxTokens(IConfiguration configuration)
    {
        var raw = Read(configuration, "LLM_MAX_TOKENS");
        if (raw is null)
        {
            return DefaultMaxTokens;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value <= 0)
        {
            throw new InvalidOperationException("LLM_MAX_TOKENS must be a positive whole number.");
        }

        return value;
    }

    private static int? ReadMaxConcurrency(IConfiguration configuration)
    {
        var raw = Read(configuration, "LLM_MAX_CONCURRENCY");
        if (raw is null)
        {
            return null;
        }

        if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 0 || value > 100_000)
        {
            throw new InvalidOperationException("LLM_MAX_CONCURRENCY must be a whole number of calls (0 for no limit).");
        }

        return value == 0 ? null : value;
    }

    private static TimeSpan ReadTimeout(IConfiguration configuration)
    {
        var raw = Read(configuration, "LLM_TIMEOUT");
        if (raw is null)
        {
            return DefaultTimeout;
        }

        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)
            || !double.IsFinite(seconds)
            || seconds <= 0
            || seconds > MaxTimeout.TotalSeconds)
        {
            throw new InvalidOperationException(
                $"LLM_TIMEOUT must be a positive number of seconds (at most {MaxTimeout.TotalSeconds:0}).");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    private static Uri? ReadUrl(IConfiguration configuration, string key)
    {
        var raw = Read(configuration, key);
        if (raw is null)
        {
            return null;
        }

        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"{key} must be an absolute http(s) URL.");
        }

        return uri;
    }

    // Blank counts as unset: compose files and .env templates often declare variables with empty values.
    private static string? Read(IConfiguration configuration, string key)
    {
        var value = configuration[key]?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }
}
