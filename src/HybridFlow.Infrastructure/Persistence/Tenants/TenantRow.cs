namespace HybridFlow.Infrastructure.Persistence.Tenants;

/// <summary>The EF Core row of tenants (mapped in HybridFlowDbContext).</summary>
internal sealed class TenantRow
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string? SystemPrompt { get; set; }
    public string? LlmProvider { get; set; }
    public string? LlmModel { get; set; }
    public string ReplyMode { get; set; } = "ai";
    public string? WorkflowUrl { get; set; }
    public bool WorkflowUrlTrusted { get; set; }
    /// <summary>As stored: encrypted and bound to this row (TenantStore encrypts and decrypts it).</summary>
    public string? WorkflowSecret { get; set; }
    public int ResumeAfterMinutes { get; set; }
    public int DebounceSeconds { get; set; }
    public int HistoryMessages { get; set; }
    public bool ExternalSendsPause { get; set; }
    public string Conversation { get; set; } = "{}";
    /// <summary>As stored: encrypted and bound to this row (TenantStore encrypts and decrypts it).</summary>
    public string? LlmApiKey { get; set; }
    public string? LlmBaseUrl { get; set; }
    public bool LlmBaseUrlTrusted { get; set; }
    public string? NotifyUrl { get; set; }
    public bool NotifyUrlTrusted { get; set; }
    public long? MonthlyTokenBudget { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
