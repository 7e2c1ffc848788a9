using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>What the tenant's model setup can understand (provider and configured accounts), without calling it.</summary>
public interface IMediaCapabilities
{
    /// <summary>Speech-to-text is set up for this tenant (a transcriber, an OpenAI-compatible account, a provider other than static).</summary>
    bool CanTranscribe(ReplyContext context);

    /// <summary>
    /// The credentials a transcription call may carry: the tenant's own only when its provider is OpenAI (the transcriber
    /// speaks OpenAI), else null for the global OpenAI account, so an Anthropic key never goes to OpenAI.
    /// </summary>
    LlmCredentials? TranscriptionCredentials(ReplyContext context);

    /// <summary>The tenant's provider takes images (OpenAI or Anthropic, not the static one).</summary>
    bool CanSee(ReplyContext context);
}
