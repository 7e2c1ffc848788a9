using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The per-tenant rules the pipeline needs, with environment defaults already applied.</summary>
public sealed record TenantPolicy(
    long TenantId,
    ReplyMode ReplyMode,
    TimeSpan QuietPeriod,
    TimeSpan Debounce,
    int HistoryMessages,
    bool ExternalSendsPause)
{
    /// <summary>Typing, split replies, handoff, business hours, media and the history budget.</summary>
    public ConversationSettings Conversation { get; init; } = ConversationSettings.Default;

    /// <summary>The tenant's own model account; null: the global one.</summary>
    public LlmCredentials? LlmCredentials { get; init; }

    /// <summary>Where handoff requests are POSTed, signed like the workflow events; null: nowhere.</summary>
    public NotifyTarget? Notify { get; init; }
}

/// <summary>
/// The tenant's notify_url with the secret that signs its POSTs: the tenant's workflow_secret, or (null) the global
/// N8N_API_KEY. <see cref="UrlTrusted"/>: saved by the platform admin, so the outbound address guard is skipped.
/// </summary>
public sealed record NotifyTarget(string Url, string? Secret, bool UrlTrusted)
{
    public override string ToString() => $"NotifyTarget({Url})";
}

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
