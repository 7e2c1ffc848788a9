namespace HybridFlow.Domain.Tenants;

/// <summary>Whether a tenant may still call the model on the platform's account this month.</summary>
public enum TokenBudgetState
{
    /// <summary>No budget set: no limit.</summary>
    Unlimited,
    Available,
    /// <summary>The tokens used this month reached the budget: the bot hands chats to a person instead of answering.</summary>
    Exhausted,
}

/// <summary>
/// A tenant's monthly token budget on the platform's account (input plus output tokens, calendar month in UTC);
/// <see cref="MonthlyTokens"/> null: unlimited.
/// </summary>
public sealed record TokenBudget(long? MonthlyTokens)
{
    public const long MonthlyTokensMax = 1_000_000_000_000;

    public static readonly TokenBudget Unlimited = new((long?)null);

    public TokenBudgetState Check(long usedThisMonth) => MonthlyTokens switch
    {
        null => TokenBudgetState.Unlimited,
        { } budget when usedThisMonth >= budget => TokenBudgetState.Exhausted,
        _ => TokenBudgetState.Available,
    };

    /// <summary>Tokens left this month, never below zero (calls in flight when it ran out may overshoot); null: unlimited.</summary>
    public long? Left(long usedThisMonth) => MonthlyTokens is { } budget ? Math.Max(0, budget - usedThisMonth) : null;

    /// <summary>The start of the calendar month (UTC) that <paramref name="now"/> falls in: where the count starts again.</summary>
    public static DateTimeOffset MonthStart(DateTimeOffset now)
    {
        var utc = now.ToUniversalTime();
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }
}
