namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The correlation id (X-Correlation-Id) of the HTTP request being handled, or null outside a request.
/// Work that outlives the request (the reply outbox) stores it and carries it on by itself.
/// </summary>
public interface ICorrelationContext
{
    string? CorrelationId { get; }
}
