using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Realtime;

/// <summary>
/// Counts this process's open streams per caller. Each replica counts its own (the README says so): behind a load balancer a
/// caller may hold up to INBOX_STREAMS_PER_USER per replica, which still bounds what one key can hold.
/// </summary>
public sealed class InboxStreamSlots : IInboxStreamSlots
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public InboxStreamSlots(InboxStreamOptions options) => PerCaller = options.StreamsPerCaller;

    public int PerCaller { get; }

    public IDisposable? TryTake(string caller)
    {
        lock (_lock)
        {
            var open = _open.GetValueOrDefault(caller);
            if (open >= PerCaller) return null;
            _open[caller] = open + 1;
        }
        return new Slot(this, caller);
    }

    private void Release(string caller)
    {
        lock (_lock)
        {
            if (!_open.TryGetValue(caller, out var open)) return;
            if (open <= 1) _open.Remove(caller);
            else _open[caller] = open - 1;
        }
    }

    private sealed class Slot : IDisposable
    {
        private readonly InboxStreamSlots _slots;
        private readonly string _caller;
        private int _released;

        public Slot(InboxStreamSlots slots, string caller)
        {
            _slots = slots;
            _caller = caller;
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) _slots.Release(_caller);
        }
    }
}
