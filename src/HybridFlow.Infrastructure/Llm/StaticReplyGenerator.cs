using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>Answers every prompt with LLM_STATIC_REPLY; useful without any LLM account and as a safe default.</summary>
internal sealed class StaticReplyGenerator : IReplyGenerator
{
    private readonly string _reply;

    public StaticReplyGenerator(LlmOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _reply = options.StaticReply;
    }

    public Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ct.ThrowIfCancellationRequested();
        return Task.FromResult(new GeneratedReply(_reply, TokenUsage.None));
    }
}
