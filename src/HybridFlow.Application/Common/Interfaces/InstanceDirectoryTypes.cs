using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// An Evolution instance as the webhook pipeline and the sender see it, secrets in clear. <see cref="EvolutionServerUrlTrusted"/>:
/// the URL was saved by the platform admin, so calls to it skip the outbound address guard.
/// </summary>
public sealed record InstanceContext(
    long InstanceId,
    string InstanceName,
    string EvolutionServerUrl,
    string? EvolutionApiKey,
    string? WebhookSecret,
    TenantPolicy Tenant,
    bool EvolutionServerUrlTrusted = false);
