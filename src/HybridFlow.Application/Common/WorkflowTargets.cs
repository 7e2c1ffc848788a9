using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common;

/// <summary>
/// How a tenant's workflow settings combine with the global N8N_* ones: the tenant's own workflow_url and
/// workflow_secret win; otherwise N8N_WEBHOOK_URL (called with N8N_API_KEY as Bearer token) and N8N_API_KEY
/// as the signing secret. With N8N_ENABLED, new tenants default to reply_mode workflow.
/// </summary>
public static class WorkflowTargets
{
    public static string DefaultReplyMode(HybridFlowSettings settings) =>
        settings.WorkflowEnabled ? ReplyModeNames.Workflow : ReplyModeNames.Ai;

    public static bool HasUrl(string? tenantUrl, HybridFlowSettings settings) =>
        !string.IsNullOrWhiteSpace(tenantUrl) || settings.GlobalWorkflowUrl is not null;

    public static bool HasSecret(string? tenantSecret, HybridFlowSettings settings) =>
        !string.IsNullOrEmpty(tenantSecret) || !string.IsNullOrEmpty(settings.GlobalWorkflowApiKey);

    /// <summary>The target for a tenant; null when no URL or no signing secret can be found. N8N_WEBHOOK_URL is always trusted.</summary>
    public static WorkflowTarget? Resolve(string? tenantUrl, string? tenantSecret, HybridFlowSettings settings, bool tenantUrlTrusted = false)
    {
        var secret = string.IsNullOrEmpty(tenantSecret) ? settings.GlobalWorkflowApiKey : tenantSecret;
        if (string.IsNullOrEmpty(secret)) return null;
        if (!string.IsNullOrWhiteSpace(tenantUrl)) return new WorkflowTarget(tenantUrl.Trim(), secret, null, tenantUrlTrusted);
        return settings.GlobalWorkflowUrl is { } global
            ? new WorkflowTarget(global, secret, string.IsNullOrEmpty(settings.GlobalWorkflowApiKey) ? null : settings.GlobalWorkflowApiKey, Trusted: true)
            : null;
    }

    public static bool IsHttpUrl(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
