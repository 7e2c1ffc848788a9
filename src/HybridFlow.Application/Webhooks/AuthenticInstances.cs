using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Webhooks;

/// <summary>The instance a webhook names, once its credentials hold for it: shared by both channels' webhooks.</summary>
public static class AuthenticInstances
{
    /// <summary>
    /// The instance when <paramref name="isAuthentic"/> holds for it; null for an unknown instance or a refused caller
    /// alike. A refusal is checked again on a fresh read: a refused delivery is given up (Evolution) or retried for days
    /// (Meta), so be sure the secret did not just change on another replica. An unknown name is not read twice: the
    /// directory never caches a miss.
    /// </summary>
    public static async Task<InstanceContext?> FindAuthenticAsync(
        this IInstanceDirectory instances, string name, Func<InstanceContext, bool> isAuthentic, CancellationToken ct)
    {
        var instance = await instances.FindByNameAsync(name, fresh: false, ct);
        if (instance is null) return null;
        if (isAuthentic(instance)) return instance;
        instance = await instances.FindByNameAsync(name, fresh: true, ct);
        return instance is not null && isAuthentic(instance) ? instance : null;
    }
}
