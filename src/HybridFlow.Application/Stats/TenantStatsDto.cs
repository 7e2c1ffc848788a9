namespace HybridFlow.Application.Stats;

/// <summary>
/// How the bot did for one tenant in [from, to). A conversation is a chat with at least one customer message in the
/// period; messages count by their WhatsApp time, actions and tokens by when they happened.
/// </summary>
public sealed record TenantStatsDto(
    long TenantId,
    DateTimeOffset From,
    DateTimeOffset To,
    long Conversations,
    long CustomerMessages,
    /// <summary>Model replies that went out (one per reply, however many messages it was split into).</summary>
    long BotReplies,
    /// <summary>Messages the bot sent (reply parts, fixed notices, send-message as bot).</summary>
    long BotMessages,
    long HumanTakeovers,
    long HandoffRequests,
    long AutoResumes,
    long ManualResumes,
    FirstReplyStats FirstReply,
    /// <summary>Conversations with a bot reply and no person in them (no human message, takeover or handoff request).</summary>
    long HandledByBot,
    /// <summary><see cref="HandledByBot"/> / <see cref="Conversations"/>; null without conversations.</summary>
    double? HandledByBotShare,
    TokenStats Tokens)
{
    /// <summary>This calendar month's (UTC) tokens on the platform's model account against the tenant's budget, whatever the period.</summary>
    public TokenBudgetStats? Budget { get; init; }

    /// <summary>With <c>interval=day</c>: one row per day of the period, in <see cref="TimeZone"/>, oldest first.</summary>
    public IReadOnlyList<DayStats>? Days { get; init; }

    /// <summary>The tenant's time zone, whose midnights divide <see cref="Days"/>; only with them.</summary>
    public string? TimeZone { get; init; }
}

/// <summary>
/// One day of the period in the tenant's time zone (the first and last may be partial, cut by from and to). A
/// conversation counts on each day it has a customer message; the other figures are those of the period's, for the day.
/// </summary>
public sealed record DayStats(
    DateOnly Date,
    long Conversations,
    long CustomerMessages,
    long BotReplies,
    long BotMessages,
    long HumanTakeovers,
    long HandoffRequests,
    FirstReplyStats FirstReply,
    long HandledByBot,
    double? HandledByBotShare,
    DayTokenStats Tokens);

/// <summary>The day's tokens; <see cref="Cost"/> as in <see cref="TokenStats.Cost"/>.</summary>
public sealed record DayTokenStats(long Calls, long Input, long Output, long Cached)
{
    public decimal? Cost { get; init; }
}

/// <summary>
/// <see cref="Used"/>: input plus output tokens on the platform's key since <see cref="MonthStart"/> (calls on the
/// tenant's own key do not count); <see cref="MonthlyTokenBudget"/> and <see cref="Left"/> null: unlimited.
/// </summary>
public sealed record TokenBudgetStats(DateTimeOffset MonthStart, long? MonthlyTokenBudget, long Used, long? Left, bool Exhausted);

/// <summary>Per conversation, from its first customer message in the period to the first bot message after it.</summary>
public sealed record FirstReplyStats(
    /// <summary>Conversations that got a bot message after their first customer message.</summary>
    long Conversations,
    double? MedianSeconds,
    double? P90Seconds);

/// <summary>Token totals; input includes cached input; <c>cached_share</c> = cached / input (null when input is 0).</summary>
public sealed record TokenStats(long Calls, long Input, long Output, long Cached, double? CachedShare, IReadOnlyList<ModelTokenStats> ByModel)
{
    /// <summary>
    /// What the priced models' tokens cost (LLM_PRICES, per million tokens, in its currency); null when LLM_PRICES is not
    /// set. Tokens of models it does not price are in <see cref="UnpricedTokens"/>, not in the cost.
    /// </summary>
    public decimal? Cost { get; init; }

    /// <summary>Input plus output tokens of models LLM_PRICES does not price; null when it is not set.</summary>
    public long? UnpricedTokens { get; init; }
}

public sealed record ModelTokenStats(string Provider, string? Model, long Calls, long Input, long Output, long Cached, double? CachedShare)
{
    /// <summary>Null when LLM_PRICES does not price this model.</summary>
    public decimal? Cost { get; init; }
}

/// <summary>What the store reads; the handler adds the shares.</summary>
public sealed record TenantStatsCounts(
    long Conversations,
    long CustomerMessages,
    long BotReplies,
    long BotMessages,
    long HumanTakeovers,
    long HandoffRequests,
    long AutoResumes,
    long ManualResumes,
    long FirstReplyConversations,
    double? FirstReplyMedianSeconds,
    double? FirstReplyP90Seconds,
    long HandledByBot,
    IReadOnlyList<ModelTokenCounts> Tokens);

public sealed record ModelTokenCounts(string Provider, string? Model, long Calls, long Input, long Output, long Cached);

/// <summary>One day's counts as the store reads them (<see cref="DayStats"/>).</summary>
public sealed record DayCounts(
    DateOnly Date,
    long Conversations,
    long CustomerMessages,
    long BotReplies,
    long BotMessages,
    long HumanTakeovers,
    long HandoffRequests,
    long FirstReplyConversations,
    double? FirstReplyMedianSeconds,
    double? FirstReplyP90Seconds,
    long HandledByBot,
    IReadOnlyList<ModelTokenCounts> Tokens);
