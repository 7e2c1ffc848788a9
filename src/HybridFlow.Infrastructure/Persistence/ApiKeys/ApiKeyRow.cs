namespace HybridFlow.Infrastructure.Persistence.ApiKeys;

/// <summary>The EF Core row of api_keys (mapped in HybridFlowDbContext).</summary>
internal sealed class ApiKeyRow
{
    public long Id { get; set; }
    public long? TenantId { get; set; }
    public string Role { get; set; } = "";
    public string Name { get; set; } = "";
    public string KeyHash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public long? CreatedByUserId { get; set; }
    public long? CreatedByKeyId { get; set; }
    public long? ActsForUserId { get; set; }
}
