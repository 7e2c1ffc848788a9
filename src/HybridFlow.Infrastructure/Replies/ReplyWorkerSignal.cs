using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Replies;

/// <summary>Lets a webhook wake an idle worker at once instead of at its next poll. Polling still covers other replicas.</summary>
public sealed class ReplyWorkerSignal : IReplyWorkerSignal
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void JobQueued()
    {
        if (_signal.CurrentCount < 64) _signal.Release();
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
