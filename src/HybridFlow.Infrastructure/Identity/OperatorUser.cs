using Microsoft.AspNetCore.Identity;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>Identity's user plus who the person is here (the <c>users</c> table of V0012).</summary>
internal sealed class OperatorUser : IdentityUser<long>
{
    /// <summary>Null only for platform_admin.</summary>
    public long? TenantId { get; set; }
    /// <summary>platform_admin, tenant_admin or agent.</summary>
    public string Role { get; set; } = "";
    public string DisplayName { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
}
