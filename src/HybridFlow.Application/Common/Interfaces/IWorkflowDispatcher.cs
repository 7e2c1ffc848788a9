namespace HybridFlow.Application.Common.Interfaces;

/// <summary>Port to the tenant's workflow (n8n or any HTTP endpoint). Returns the 2xx status; throws <see cref="WorkflowDispatchException"/> otherwise.</summary>
public interface IWorkflowDispatcher
{
    Task<int> DispatchAsync(WorkflowDispatch dispatch, CancellationToken ct);
}
