namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Which side of the chat a history line came from, as the model should see it.</summary>
public enum ConversationRole
{
    Customer,
    Assistant,
}

public sealed record ConversationTurn(ConversationRole Role, string Text);

/// <summary>
/// Everything a model needs to write one reply. Provider and model are null when the tenant leaves them to the environment.
/// <see cref="CorrelationId"/> is sent to the provider as X-Correlation-Id.
/// </summary>
public sealed record ReplyPrompt(
    string? Provider,
    string? Model,
    string SystemPrompt,
    IReadOnlyList<ConversationTurn> History,
    string? CorrelationId = null);

/// <summary>Port to the LLM. Throws <see cref="ReplyGenerationException"/> on provider failure.</summary>
public interface IReplyGenerator
{
    Task<string> GenerateAsync(ReplyPrompt prompt, CancellationToken ct);
}

public sealed class ReplyGenerationException : Exception
{
    public ReplyGenerationException(string message, bool isPermanent = false, Exception? inner = null)
        : base(message, inner) => IsPermanent = isPermanent;

    /// <summary>True when retrying cannot help (bad key, unknown model).</summary>
    public bool IsPermanent { get; }

    /// <summary>The provider is rate limiting or overloaded (OpenAI 429, Anthropic 429 or 529): wait, do not count it as a failed attempt.</summary>
    public bool IsRateLimited { get; init; }

    /// <summary>How long to wait before calling this provider again (its Retry-After, or the backoff), when known.</summary>
    public TimeSpan? RetryAfter { get; init; }
}
