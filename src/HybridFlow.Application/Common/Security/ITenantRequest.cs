namespace HybridFlow.Application.Common.Security;

/// <summary>
/// A request addressed to one tenant by id. Another tenant's id is a 404 before the role is looked at, so a key learns
/// nothing about ids outside its tenant (never a 403).
/// </summary>
public interface ITenantRequest
{
    long TenantId { get; }
}
