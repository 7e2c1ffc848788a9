namespace HybridFlow.Domain.Replies;

/// <summary>How often a reply job is tried, and how long it waits between attempts (doubling, capped).</summary>
public sealed record ReplyRetryPolicy(int MaxAttempts, TimeSpan BaseDelay, TimeSpan MaxDelay)
{
    public TimeSpan DelayAfter(int attempt)
    {
        var factor = Math.Pow(2, Math.Max(0, attempt - 1));
        return TimeSpan.FromTicks((long)Math.Min(BaseDelay.Ticks * factor, MaxDelay.Ticks));
    }
}
