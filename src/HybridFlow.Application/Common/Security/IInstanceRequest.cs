namespace HybridFlow.Application.Common.Security;

/// <summary>
/// A request addressed to one instance by name, whose tenant is known only once it is read. When the caller's role is too
/// low, the instance is looked up first: another tenant's (or a missing) instance is a 404, never a 403.
/// </summary>
public interface IInstanceRequest
{
    string? InstanceName { get; }
    /// <summary>The tenant the platform admin narrows the lookup to (null: any).</summary>
    long? TenantId { get; }
}
