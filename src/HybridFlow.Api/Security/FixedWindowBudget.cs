using System.Threading.RateLimiting;

namespace HybridFlow.Api.Security;

/// <summary>
/// Failures per key (a client address, an instance name) in a fixed one-minute window: <see cref="BlockedFor"/> asks
/// without spending, <see cref="Spend"/> counts one. A limit of 0 or less never blocks.
/// </summary>
public sealed class FixedWindowBudget : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    public FixedWindowBudget(int perMinute) =>
        _limiter = PartitionedRateLimiter.Create<string, string>(key => RateLimiting.Window(key, perMinute));

    /// <summary>How long until <paramref name="key"/> has budget again; null when it has some now. Spends nothing.</summary>
    public TimeSpan? BlockedFor(string key) => Attempt(key, 0);

    /// <summary>Spends one unit; how long to wait when none was left (nothing is spent then), else null.</summary>
    public TimeSpan? Spend(string key) => Attempt(key, 1);

    private TimeSpan? Attempt(string key, int permits)
    {
        using var lease = _limiter.AttemptAcquire(key, permits);
        if (lease.IsAcquired) return null;
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1);
    }

    public void Dispose() => _limiter.Dispose();
}
