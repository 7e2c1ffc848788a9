using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Which side of the chat a history line came from, as the model should see it.</summary>
public enum ConversationRole
{
    Customer,
    Assistant,
}

/// <summary>A picture the customer sent, for a vision-capable model.</summary>
public sealed record ConversationImage(string MimeType, byte[] Data);

/// <summary>
/// One line of history. <see cref="Image"/> is set for a customer's photo (its caption, if any, is <see cref="Text"/>).
/// <see cref="MessageId"/>: the stored message it comes from, when it does (the media step attaches a photo by it).
/// </summary>
public sealed record ConversationTurn(ConversationRole Role, string Text, ConversationImage? Image = null, long? MessageId = null);

/// <summary>
/// Everything a model needs to write one reply. Provider and model are null when the tenant leaves them to the environment.
/// <see cref="CorrelationId"/> is sent to the provider as X-Correlation-Id. <see cref="Credentials"/> null: the global account.
/// <see cref="OfferHandoffTool"/>: the model is offered the <c>request_human</c> tool. <see cref="MaxTokensScale"/>: the reply
/// may be this many times LLM_MAX_TOKENS long (2 when a reply cut at the limit is written again).
/// </summary>
public sealed record ReplyPrompt(
    string? Provider,
    string? Model,
    string SystemPrompt,
    IReadOnlyList<ConversationTurn> History,
    string? CorrelationId = null,
    LlmCredentials? Credentials = null,
    bool OfferHandoffTool = false,
    int MaxTokensScale = 1,
    /// <summary>The tenant's language (pt, es, en): the no-model reply's, unless LLM_STATIC_REPLY is set.</summary>
    string? Language = null);

/// <summary>Tokens of one model call as the provider reported them; <see cref="CachedInputTokens"/> is part of <see cref="InputTokens"/>.</summary>
public sealed record TokenUsage(long InputTokens, long OutputTokens, long CachedInputTokens)
{
    public static readonly TokenUsage None = new(0, 0, 0);

    public TokenUsage Add(TokenUsage other) =>
        new(InputTokens + other.InputTokens, OutputTokens + other.OutputTokens, CachedInputTokens + other.CachedInputTokens);
}

/// <summary>The model called <c>request_human</c>: the customer wants a person, or the model cannot help.</summary>
public sealed record HandoffRequest(string Reason);

/// <summary>
/// The model's answer: its text, or (<see cref="Handoff"/> set) a request for a person, in which case the text, if any,
/// is not sent. <see cref="Usage"/> is what the call cost. <see cref="Truncated"/>: the model stopped at its token limit
/// (OpenAI finish_reason length, Anthropic stop_reason max_tokens), so the text ends mid-reply (and may be empty).
/// </summary>
public sealed record GeneratedReply(string Text, TokenUsage Usage, HandoffRequest? Handoff = null, bool Truncated = false);

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

    /// <summary>
    /// The model account is out of credit (OpenAI insufficient_quota, Anthropic "credit balance is too low"): not a rate
    /// limit, and retrying cannot help until someone pays; a person has to answer the chat.
    /// </summary>
    public bool IsAccountExhausted { get; init; }
}
