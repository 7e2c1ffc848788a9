using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Answers every prompt with LLM_STATIC_REPLY, or when it is not set with the no-model reply in the tenant's language;
/// useful without any LLM account and as a safe default.
/// </summary>
internal sealed class StaticReplyGenerator : IReplyGenerator
{
    private readonly string? _reply;

    public StaticReplyGenerator(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reply = options.IsStaticReplySet ? options.StaticReply : null;
    }

    public Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ct.ThrowIfCancellationRequested();
        var reply = _reply ?? TenantLanguages.NoModelReply(prompt.Language ?? TenantLanguages.English);
        return Task.FromResult(new GeneratedReply(reply, TokenUsage.None));
    }
}
