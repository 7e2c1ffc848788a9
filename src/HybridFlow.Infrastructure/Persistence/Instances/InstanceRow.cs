namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>The EF Core row of instances (mapped in HybridFlowDbContext).</summary>
internal sealed class InstanceRow
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public string InstanceName { get; set; } = "";
    public string Provider { get; set; } = "evolution";
    public string EvoServerUrl { get; set; } = "";
    public bool EvoServerUrlTrusted { get; set; }
    /// <summary>As stored: encrypted and bound to this row (InstanceStore encrypts and decrypts it).</summary>
    public string? EvoApiKey { get; set; }
    /// <summary>As stored: encrypted and bound to this row (InstanceStore encrypts and decrypts it).</summary>
    public string? WebhookSecret { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
