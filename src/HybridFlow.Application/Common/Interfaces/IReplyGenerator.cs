namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Port to the LLM. Throws <see cref="ReplyGenerationException"/> on provider failure.</summary>
public interface IReplyGenerator
{
    Task<GeneratedReply> GenerateAsync(ReplyPrompt prompt, CancellationToken ct);
}
