using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

public sealed class InstanceDirectory : IInstanceDirectory
{
    private readonly NpgsqlDataSource _db;

    public InstanceDirectory(NpgsqlDataSource db) => _db = db;

    public async Task<InstanceContext?> FindByNameAsync(string instanceName, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            SELECT i.id, i.instance_name, i.evo_server_url, i.evo_api_key, i.webhook_secret,
                   t.id, t.reply_mode, t.resume_after_minutes, t.debounce_seconds, t.history_messages, t.external_sends_pause
            FROM instances i JOIN tenants t ON t.id = i.tenant_id
            WHERE i.instance_name = $1
            """, null, instanceName);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var policy = new TenantPolicy(r.GetInt64(5), ReplyModeNames.Parse(r.GetString(6)), TimeSpan.FromMinutes(r.GetInt32(7)),
            TimeSpan.FromSeconds(r.GetInt32(8)), r.GetInt32(9), r.GetBoolean(10));
        return new InstanceContext(r.GetInt64(0), r.GetString(1), r.GetString(2),
            r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), policy);
    }
}
