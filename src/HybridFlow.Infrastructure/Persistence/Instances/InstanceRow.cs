namespace HybridFlow.Infrastructure.Persistence.Instances;

/// <summary>The EF Core row of instances (mapped in HybridFlowDbContext).</summary>
internal sealed class InstanceRow
{
    public long Id { get; set; }
    public long TenantId { get; set; }
    public string InstanceName { get; set; } = "";
    public string Provider { get; set; } = "evolution";
    /// <summary>Null for a meta_cloud instance (a CHECK keeps it set for evolution).</summary>
    public string? EvoServerUrl { get; set; }
    public bool EvoServerUrlTrusted { get; set; }
    /// <summary>As stored: encrypted and bound to this row (InstanceStore encrypts and decrypts it).</summary>
    public string? EvoApiKey { get; set; }
    /// <summary>As stored: encrypted and bound to this row (InstanceStore encrypts and decrypts it).</summary>
    public string? WebhookSecret { get; set; }
    public string? MetaPhoneNumberId { get; set; }
    public string? MetaWabaId { get; set; }
    /// <summary>As stored: encrypted and bound to this row.</summary>
    public string? MetaAccessToken { get; set; }
    /// <summary>As stored: encrypted and bound to this row.</summary>
    public string? MetaAppSecret { get; set; }
    /// <summary>As stored: encrypted and bound to this row.</summary>
    public string? MetaVerifyToken { get; set; }
    /// <summary>As stored: encrypted and bound to this row; never shown, not even masked.</summary>
    public string? EvoGlobalApiKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
