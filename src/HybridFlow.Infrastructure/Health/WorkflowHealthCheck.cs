using HybridFlow.Application.Common;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HybridFlow.Infrastructure.Health;

/// <summary>The global workflow target (n8n): "disabled" unless N8N_ENABLED is true; then its URL must be set and its host reachable.</summary>
internal sealed class WorkflowHealthCheck : IHealthCheck
{
    private readonly HybridFlowSettings _settings;
    private readonly OperationsOptions _options;

    public WorkflowHealthCheck(HybridFlowSettings settings, OperationsOptions options)
    {
        _settings = settings;
        _options = options;
    }

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_settings.WorkflowEnabled) return HybridFlowHealthChecks.Disabled("N8N_ENABLED is not true");
        // N8N_WEBHOOK_URL is checked to be an http(s) URL at startup.
        if (_settings.GlobalWorkflowUrl is not { } configured) return HealthCheckResult.Unhealthy("N8N_ENABLED is true but N8N_WEBHOOK_URL is not set.");
        var url = new Uri(configured);
        return await Reachability.AcceptsConnectionsAsync(url, _options.ProbeTimeout, cancellationToken)
            ? HealthCheckResult.Healthy("the workflow host accepts connections")
            : HealthCheckResult.Unhealthy("the N8N_WEBHOOK_URL host does not accept connections.");
    }
}
