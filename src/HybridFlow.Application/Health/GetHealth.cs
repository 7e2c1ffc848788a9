using MediatR;

namespace HybridFlow.Application.Health;

public sealed record HealthCheckResult(string Status, string? Message);

public sealed record HealthReport(bool Ok, string Version, DateTimeOffset Timestamp, IReadOnlyDictionary<string, HealthCheckResult> Checks);

public interface IHealthProbe
{
    string Name { get; }
    Task<HealthCheckResult> CheckAsync(CancellationToken ct);
}

public sealed record GetHealthQuery : IRequest<HealthReport>;

public sealed class GetHealthQueryHandler : IRequestHandler<GetHealthQuery, HealthReport>
{
    private readonly IEnumerable<IHealthProbe> _probes;
    private readonly TimeProvider _time;

    public GetHealthQueryHandler(IEnumerable<IHealthProbe> probes, TimeProvider time)
    {
        _probes = probes;
        _time = time;
    }

    public async Task<HealthReport> Handle(GetHealthQuery request, CancellationToken ct)
    {
        var checks = new Dictionary<string, HealthCheckResult>();
        foreach (var probe in _probes) checks[probe.Name] = await probe.CheckAsync(ct);
        var version = typeof(GetHealthQuery).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";
        return new HealthReport(checks.Values.All(c => c.Status != "error"), version, _time.GetUtcNow(), checks);
    }
}
