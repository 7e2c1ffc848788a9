using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HybridFlow.Infrastructure.Observability;

/// <summary>Starts collecting when the host starts, so /metrics counts everything since then, not since the first scrape.</summary>
internal sealed class MetricsCollectionStartup : IHostedService
{
    private readonly IServiceProvider _services;

    public MetricsCollectionStartup(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = _services.GetRequiredService<PrometheusMeterBridge>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
