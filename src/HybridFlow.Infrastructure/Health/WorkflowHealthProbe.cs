using HybridFlow.Application.Common;
using HybridFlow.Application.Health;

namespace HybridFlow.Infrastructure.Health;

/// <summary>The global workflow target (n8n): "disabled" unless N8N_ENABLED is true; then its URL must be set and its host reachable.</summary>
public sealed class WorkflowHealthProbe : IHealthProbe
{
    private readonly HybridFlowSettings _settings;
    private readonly OperationsOptions _options;

    public WorkflowHealthProbe(HybridFlowSettings settings, OperationsOptions options)
    {
        _settings = settings;
        _options = options;
    }

    public string Name => "workflow";

    public async Task<HealthCheckResult> CheckAsync(CancellationToken ct)
    {
        if (!_settings.WorkflowEnabled) return new HealthCheckResult("disabled", "N8N_ENABLED is not true");
        // N8N_WEBHOOK_URL is checked to be an http(s) URL at startup.
        if (_settings.GlobalWorkflowUrl is not { } configured) return new HealthCheckResult("error", "N8N_ENABLED is true but N8N_WEBHOOK_URL is not set.");
        var url = new Uri(configured);
        return await Reachability.AcceptsConnectionsAsync(url, _options.ProbeTimeout, ct)
            ? new HealthCheckResult("ok", "the workflow host accepts connections")
            : new HealthCheckResult("error", "the N8N_WEBHOOK_URL host does not accept connections.");
    }
}
