using HybridFlow.Application.Health;

namespace HybridFlow.Infrastructure.Health;

/// <summary>The global workflow target (n8n): "disabled" unless N8N_ENABLED is true; then its URL must be set and its host reachable.</summary>
public sealed class WorkflowHealthProbe : IHealthProbe
{
    private readonly OperationsOptions _options;

    public WorkflowHealthProbe(OperationsOptions options) => _options = options;

    public string Name => "workflow";

    public async Task<HealthCheckResult> CheckAsync(CancellationToken ct)
    {
        if (!_options.WorkflowEnabled) return new HealthCheckResult("disabled", "N8N_ENABLED is not true");
        if (_options.WorkflowUrl is null) return new HealthCheckResult("error", "N8N_ENABLED is true but N8N_WEBHOOK_URL is not set.");
        if (!Uri.TryCreate(_options.WorkflowUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            return new HealthCheckResult("error", "N8N_WEBHOOK_URL is not an absolute http(s) URL.");
        return await Reachability.AcceptsConnectionsAsync(url, _options.ProbeTimeout, ct)
            ? new HealthCheckResult("ok", "the workflow host accepts connections")
            : new HealthCheckResult("error", "the N8N_WEBHOOK_URL host does not accept connections.");
    }
}
