using HybridFlow.Application.Stats;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The stats' aggregates, computed in the database.</summary>
public interface ITenantStatsQueries
{
    /// <summary>The tenant's counts for [from, to); null when the tenant does not exist.</summary>
    Task<TenantStatsCounts?> ReadAsync(long tenantId, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>The counts of each day of [from, to) in <paramref name="timeZone"/> (an IANA id), oldest first, days without activity included.</summary>
    Task<IReadOnlyList<DayCounts>> ReadDaysAsync(long tenantId, DateTimeOffset from, DateTimeOffset to, string timeZone, CancellationToken ct);
}
