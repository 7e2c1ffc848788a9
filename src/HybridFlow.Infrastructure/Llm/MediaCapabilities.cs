using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>Decides from the configuration alone; a model that still refuses the media answers 4xx, handled as unsupported.</summary>
internal sealed class MediaCapabilities : IMediaCapabilities
{
    private readonly LlmOptions _options;

    public MediaCapabilities(LlmOptions options) => _options = options;

    public bool CanTranscribe(ReplyContext context) =>
        Provider(context) != LlmOptions.StaticProvider
        && (_options.IsOpenAiConfigured || TranscriptionCredentials(context) is { IsEmpty: false });

    public LlmCredentials? TranscriptionCredentials(ReplyContext context) =>
        Provider(context) == LlmOptions.OpenAiProvider ? context.Instance.Tenant.LlmCredentials : null;

    public bool CanSee(ReplyContext context) => Provider(context) is LlmOptions.OpenAiProvider or LlmOptions.AnthropicProvider;

    private string? Provider(ReplyContext context) => _options.ProviderFor(context.LlmProvider);
}
