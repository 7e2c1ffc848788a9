namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// Webhook budgets: deliveries refused before they authenticated are counted per source address, so strangers never
/// spend an instance's budget; an instance's budget is spent only by deliveries that authenticated for it.
/// </summary>
public interface IWebhookThrottle
{
    /// <summary>How long <paramref name="source"/> must wait because it spent its refusals; null when it may try now. Spends nothing.</summary>
    TimeSpan? SourceBlockedFor(string source);

    /// <summary>Counts one delivery from <paramref name="source"/> refused before it authenticated.</summary>
    void SourceRefused(string source);

    /// <summary>Spends one authenticated delivery of the instance; how long to wait when none is left, else null.</summary>
    TimeSpan? SpendInstanceDelivery(string instanceName);
}
