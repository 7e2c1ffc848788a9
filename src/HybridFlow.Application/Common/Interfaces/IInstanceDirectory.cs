using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The per-tenant rules the pipeline needs, with environment defaults already applied.</summary>
public sealed record TenantPolicy(
    long TenantId,
    ReplyMode ReplyMode,
    TimeSpan QuietPeriod,
    TimeSpan Debounce,
    int HistoryMessages,
    bool ExternalSendsPause);

/// <summary>An Evolution instance as the webhook pipeline and the sender see it, secrets in clear.</summary>
public sealed record InstanceContext(
    long InstanceId,
    string InstanceName,
    string EvolutionServerUrl,
    string? EvolutionApiKey,
    string? WebhookSecret,
    TenantPolicy Tenant);

public interface IInstanceDirectory
{
    Task<InstanceContext?> FindByNameAsync(string instanceName, CancellationToken ct);
}
