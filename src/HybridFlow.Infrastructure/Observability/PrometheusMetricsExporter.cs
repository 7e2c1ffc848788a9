using HybridFlow.Application.Operations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>GET /metrics: refreshes the queue gauges from PostgreSQL, then renders every instrument.</summary>
public sealed class PrometheusMetricsExporter : IMetricsExporter, IDisposable
{
    private readonly PrometheusRegistry _registry;
    private readonly HybridFlowMetrics _metrics;
    private readonly ReplyQueueProbe _queue;
    // One scrape at a time: the queue snapshot is shared by the observable gauges.
    private readonly SemaphoreSlim _scrape = new(1, 1);

    public PrometheusMetricsExporter(PrometheusRegistry registry, HybridFlowMetrics metrics, ReplyQueueProbe queue)
    {
        _registry = registry;
        _metrics = metrics;
        _queue = queue;
    }

    public async Task<string> ExportAsync(CancellationToken ct)
    {
        await _scrape.WaitAsync(ct);
        try
        {
            _metrics.SetReplyQueue(await _queue.ReadAsync(ct));
            return _registry.Render();
        }
        finally
        {
            _scrape.Release();
        }
    }

    public void Dispose() => _scrape.Dispose();
}

/// <summary>Starts collecting when the host starts, so /metrics counts everything since then, not since the first scrape.</summary>
public sealed class MetricsCollectionStartup : IHostedService
{
    private readonly IServiceProvider _services;

    public MetricsCollectionStartup(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _services.GetRequiredService<PrometheusRegistry>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
