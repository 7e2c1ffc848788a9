namespace HybridFlow.Application.Common.Interfaces;

/// <summary>POSTs a body signed with the workflow events' scheme (X-HybridFlow-Signature, -Timestamp, -Delivery).</summary>
public interface ISignedEventSender
{
    /// <summary>Answers the 2xx status; throws <see cref="WorkflowDispatchException"/> otherwise.</summary>
    Task<int> PostAsync(WorkflowTarget target, string deliveryId, byte[] body, CancellationToken ct);
}
