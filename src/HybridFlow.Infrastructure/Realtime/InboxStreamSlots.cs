using System.Threading.RateLimiting;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Realtime;

/// <summary>
/// Counts this process's open streams per caller, a concurrency limiter per caller. Each replica counts its own (docs/API.md
/// says so): behind a load balancer a caller may hold up to INBOX_STREAMS_PER_USER per replica, which still bounds what one
/// key can hold.
/// </summary>
internal sealed class InboxStreamSlots : IInboxStreamSlots, IDisposable
{
    private readonly PartitionedRateLimiter<string> _open;

    public InboxStreamSlots(InboxStreamOptions options)
    {
        PerCaller = options.StreamsPerCaller;
        _open = PartitionedRateLimiter.Create<string, string>(caller => RateLimitPartition.GetConcurrencyLimiter(caller,
            _ => new ConcurrencyLimiterOptions { PermitLimit = PerCaller, QueueLimit = 0 }));
    }

    public int PerCaller { get; }

    /// <summary>The slot (dispose it when the stream ends), or null when the caller holds all of theirs.</summary>
    public IDisposable? TryTake(string caller)
    {
        var lease = _open.AttemptAcquire(caller);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        return null;
    }

    public void Dispose() => _open.Dispose();
}
