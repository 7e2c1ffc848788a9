using MediatR;

namespace HybridFlow.Application.Operations;

/// <summary>Renders the service's metrics in the Prometheus text exposition format (version 0.0.4).</summary>
public interface IMetricsExporter
{
    Task<string> ExportAsync(CancellationToken ct);
}

public sealed record GetMetricsQuery : IRequest<string>;

public sealed class GetMetricsQueryHandler : IRequestHandler<GetMetricsQuery, string>
{
    private readonly IMetricsExporter _exporter;

    public GetMetricsQueryHandler(IMetricsExporter exporter) => _exporter = exporter;

    public Task<string> Handle(GetMetricsQuery request, CancellationToken ct) => _exporter.ExportAsync(ct);
}
