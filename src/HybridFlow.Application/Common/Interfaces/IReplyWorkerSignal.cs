namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Wakes the reply workers when a job was queued in this process.</summary>
public interface IReplyWorkerSignal
{
    void JobQueued();
}
