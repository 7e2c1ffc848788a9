using HybridFlow.Infrastructure;

namespace HybridFlow.Api.Security;

/// <summary>
/// Tenant-key lookups that found nothing, per client address (RATE_LIMIT_API_PER_MINUTE, the anonymous budget): past it, an
/// hf_ key from that address is refused without a lookup, so made-up keys stop costing database queries.
/// </summary>
public sealed class ApiKeyLookupBudget : IDisposable
{
    private readonly FixedWindowBudget _failuresPerSource;

    public ApiKeyLookupBudget(OperationsOptions options) => _failuresPerSource = new FixedWindowBudget(options.ApiRequestsPerMinute);

    public bool MayLookUp(string source) => _failuresPerSource.BlockedFor(source) is null;

    public void Failed(string source) => _failuresPerSource.Spend(source);

    public void Dispose() => _failuresPerSource.Dispose();
}
