using System.Collections.Concurrent;
using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence;

/// <summary>
/// Instance lookups for the webhook, cached for a few seconds: every webhook needs one and they almost never change.
/// Writes through the admin API clear the cache of this process; other replicas see a change within the TTL,
/// and a webhook refused with a cached secret is checked again against the database before the 401.
/// </summary>
public sealed class InstanceCache
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);
    private readonly ConcurrentDictionary<string, (InstanceContext Instance, long ExpiresAt)> _entries = new(StringComparer.Ordinal);

    public bool TryGet(string name, out InstanceContext instance)
    {
        if (_entries.TryGetValue(name, out var entry) && entry.ExpiresAt > Environment.TickCount64)
        {
            instance = entry.Instance;
            return true;
        }
        instance = null!;
        return false;
    }

    public void Set(InstanceContext instance)
    {
        if (_entries.Count > 10_000) _entries.Clear(); // instance names come from the URL: keep a flood of them bounded
        _entries[instance.InstanceName] = (instance, Environment.TickCount64 + (long)TimeToLive.TotalMilliseconds);
    }

    public void Clear() => _entries.Clear();
}

public sealed class InstanceDirectory : IInstanceDirectory
{
    private readonly NpgsqlDataSource _db;
    private readonly Security.SecretProtector _secrets;
    private readonly InstanceCache _cache;

    public InstanceDirectory(NpgsqlDataSource db, Security.SecretProtector secrets, InstanceCache cache)
    {
        _db = db;
        _secrets = secrets;
        _cache = cache;
    }

    public async Task<InstanceContext?> FindByNameAsync(string instanceName, bool fresh, CancellationToken ct)
    {
        if (!fresh && _cache.TryGet(instanceName, out var cached)) return cached;

        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command(
            $"SELECT {SqlMapping.InstanceColumns} FROM instances i JOIN tenants t ON t.id = i.tenant_id WHERE i.instance_name = $1",
            null, instanceName);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        var instance = SqlMapping.ReadInstance(r, 0, _secrets);
        _cache.Set(instance);
        return instance;
    }
}
