using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

public sealed class InstanceDirectory : IInstanceDirectory
{
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;

    public InstanceDirectory(NpgsqlDataSource db, Security.SecretProtector secrets)
    {
        _db = db;
        _secrets = secrets;
    }

    public async Task<InstanceContext?> FindByNameAsync(string instanceName, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            $"SELECT {SqlMapping.InstanceColumns} FROM instances i JOIN tenants t ON t.id = i.tenant_id WHERE i.instance_name = $1",
            null, instanceName);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return SqlMapping.ReadInstance(r, 0, _secrets);
    }
}
