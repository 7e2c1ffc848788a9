using HybridFlow.Application.Health;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

public sealed class DatabaseHealthProbe : IHealthProbe
{
    private readonly NpgsqlDataSource _db;

    public DatabaseHealthProbe(NpgsqlDataSource db) => _db = db;

    public string Name => "database";

    public async Task<HealthCheckResult> CheckAsync(CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var cmd = _db.CreateCommand("SELECT count(*) FROM schema_migrations");
            var applied = await cmd.ExecuteScalarAsync(timeout.Token);
            return new HealthCheckResult("ok", $"{applied} migrations applied");
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return new HealthCheckResult("error", "database unreachable");
        }
    }
}
