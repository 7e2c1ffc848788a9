using System.Collections.Concurrent;
using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Instances;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// Instance lookups for the webhook, cached for a few seconds: every webhook needs one and they almost never change.
/// Writes through the admin API clear the cache of this process; other replicas see a change within the TTL,
/// and a webhook refused with a cached secret is checked again against the database before the 401.
/// An entry is never served older than the TTL. Past half of it, the first caller starts one lookup in the background
/// and keeps the cached entry, and concurrent callers of an expired entry share one lookup: during a burst a webhook
/// does not wait for a connection of the main pool behind the reply jobs, nor do hundreds of lookups of one instance
/// run at once (ADR-012).
/// </summary>
internal sealed class InstanceCache
{
    public static readonly TimeSpan TimeToLive = TimeSpan.FromSeconds(5);
    private static readonly long TimeToLiveMs = (long)TimeToLive.TotalMilliseconds;
    private readonly ConcurrentDictionary<string, (InstanceContext Instance, long FetchedAt)> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Task<InstanceContext?>> _lookups = new(StringComparer.Ordinal);
    private readonly Func<InstanceContext, string?> _keyOf;
    private long _generation;

    public InstanceCache() : this(i => i.InstanceName) =>
        ByMetaPhoneNumberId = new InstanceCache(i => i.MetaCloud?.PhoneNumberId);

    private InstanceCache(Func<InstanceContext, string?> keyOf) => _keyOf = keyOf;

    /// <summary>The same cache for the Cloud API's lookup by phone_number_id (Meta's webhooks are routed by it); cleared with this one.</summary>
    public InstanceCache? ByMetaPhoneNumberId { get; }

    public bool TryGet(string name, out InstanceContext instance) => TryGet(name, out instance, out _);

    private bool TryGet(string name, out InstanceContext instance, out bool refreshDue)
    {
        var now = Environment.TickCount64;
        if (_entries.TryGetValue(name, out var entry) && now - entry.FetchedAt < TimeToLiveMs)
        {
            instance = entry.Instance;
            refreshDue = now - entry.FetchedAt >= TimeToLiveMs / 2;
            return true;
        }
        instance = null!;
        refreshDue = false;
        return false;
    }

    public void Set(InstanceContext instance) => Set(instance, Environment.TickCount64);

    private void Set(InstanceContext instance, long fetchedAt)
    {
        if (_keyOf(instance) is not { } key) return;
        if (_entries.Count > 10_000) _entries.Clear(); // instance names come from the URL: keep a flood of them bounded
        _entries[key] = (instance, fetchedAt);
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
        ByMetaPhoneNumberId?.Clear();
    }

    /// <summary>
    /// The cached instance, or the result of <paramref name="lookup"/>, run once however many callers ask at once.
    /// <paramref name="lookup"/> must not depend on a caller's scope or token: one caller's lookup serves the others.
    /// </summary>
    public async Task<InstanceContext?> GetAsync(string name, Func<Task<InstanceContext?>> lookup, CancellationToken ct)
    {
        if (TryGet(name, out var cached, out var refreshDue))
        {
            // A failed refresh is not this caller's failure: the entry stays until its TTL, and the next caller tries again.
            if (refreshDue) _ = LookUpOnceAsync(name, lookup).ContinueWith(t => t.Exception, TaskContinuationOptions.OnlyOnFaulted);
            return cached;
        }
        return await LookUpOnceAsync(name, lookup).WaitAsync(ct);
    }

    private Task<InstanceContext?> LookUpOnceAsync(string name, Func<Task<InstanceContext?>> lookup)
    {
        if (_lookups.TryGetValue(name, out var running)) return running;
        var mine = new TaskCompletionSource<InstanceContext?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_lookups.TryAdd(name, mine.Task)) return _lookups.TryGetValue(name, out running) ? running : lookup();
        _ = RunAsync();
        return mine.Task;

        async Task RunAsync()
        {
            var generation = Interlocked.Read(ref _generation);
            var fetchedAt = Environment.TickCount64;
            try
            {
                var instance = await lookup();
                // An admin write cleared the cache meanwhile: what was read may be older than that write.
                if (instance is not null && Interlocked.Read(ref _generation) == generation) Set(instance, fetchedAt);
                mine.SetResult(instance);
            }
            catch (Exception e)
            {
                mine.SetException(e);
            }
            finally
            {
                _lookups.TryRemove(new KeyValuePair<string, Task<InstanceContext?>>(name, mine.Task));
            }
        }
    }
}

internal sealed class InstanceDirectory : IInstanceDirectory
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

    public Task<InstanceContext?> FindByNameAsync(string instanceName, bool fresh, CancellationToken ct) =>
        FindAsync(_cache, "i.instance_name = @key", instanceName, fresh, ct);

    public Task<InstanceContext?> FindByMetaPhoneNumberIdAsync(string phoneNumberId, bool fresh, CancellationToken ct) =>
        FindAsync(_cache.ByMetaPhoneNumberId!, "i.meta_phone_number_id = @key", phoneNumberId, fresh, ct);

    /// <summary>By a unique column of instances, through <paramref name="cache"/> unless <paramref name="fresh"/>; a miss is never cached.</summary>
    private async Task<InstanceContext?> FindAsync(InstanceCache cache, string condition, string key, bool fresh, CancellationToken ct)
    {
        if (!fresh)
        {
            // Shared by the callers of this key: no caller's token, only the singletons it needs.
            var (db, secrets) = (_db, _secrets);
            return await cache.GetAsync(key, () => LookUpAsync(db, secrets, condition, key, CancellationToken.None), ct);
        }
        var instance = await LookUpAsync(_db, _secrets, condition, key, ct);
        if (instance is not null) cache.Set(instance);
        return instance;
    }

    /// <summary>The instance with its tenant's policy, by a unique column of instances.</summary>
    private static async Task<InstanceContext?> LookUpAsync(NpgsqlDataSource db, Security.SecretProtector secrets, string condition, string key,
        CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<InstanceColumns.Row>(new CommandDefinition(
            $"SELECT {InstanceColumns.Select} FROM instances i JOIN tenants t ON t.id = i.tenant_id WHERE {condition}",
            new { key }, cancellationToken: ct));
        return row is null ? null : InstanceColumns.ToContext(row, secrets);
    }
}
