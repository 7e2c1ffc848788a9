using System.Collections.Concurrent;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>LLM_ACCOUNT_RETRY_MINUTES: how long the platform's model account counts as out of credit after the provider said so.</summary>
internal sealed record LlmAccountOptions
{
    public TimeSpan RetryAfter { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// Per process and per provider: whether the platform's own account (its key, not a tenant's) is out of credit
/// (OpenAI <c>insufficient_quota</c>, Anthropic "credit balance is too low"). Meanwhile no job is sent to it one by one:
/// each fails at once, and /health shows the model as degraded. After the wait one call tries the account again.
/// </summary>
internal sealed class LlmAccountStatus
{
    private readonly ConcurrentDictionary<string, DateTimeOffset> _exhaustedUntil = new(StringComparer.Ordinal);

    /// <summary>Moves the end of the wait out (never in).</summary>
    public void MarkExhausted(string provider, DateTimeOffset until) =>
        _exhaustedUntil.AddOrUpdate(provider, until, (_, current) => until > current ? until : current);

    /// <summary>When the provider's platform account may be tried again; null when it is not known to be out of credit.</summary>
    public DateTimeOffset? ExhaustedUntil(string provider, DateTimeOffset now) =>
        _exhaustedUntil.TryGetValue(provider, out var until) && until > now ? until : null;
}
