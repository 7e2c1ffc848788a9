using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Replies;

/// <summary>
/// Lets a webhook (or a finished job) wake the dispatcher at once instead of at its next poll. Polling still covers
/// other replicas. Wake-ups coalesce: one claim looks at everything due, however many jobs were queued meanwhile.
/// </summary>
internal sealed class ReplyWorkerSignal : IReplyWorkerSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void JobQueued()
    {
        if (_signal.CurrentCount == 0) _signal.Release();
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
