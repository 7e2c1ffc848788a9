using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure;

namespace HybridFlow.Api.Security;

/// <summary>
/// RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE refusals per client address, RATE_LIMIT_WEBHOOK_PER_MINUTE authenticated deliveries
/// per instance (in process, one budget per replica).
/// </summary>
public sealed class WebhookThrottle : IWebhookThrottle, IDisposable
{
    private readonly FixedWindowBudget _refusalsPerSource;
    private readonly FixedWindowBudget _deliveriesPerInstance;

    public WebhookThrottle(OperationsOptions options)
    {
        _refusalsPerSource = new FixedWindowBudget(options.WebhookUnauthenticatedPerMinute);
        _deliveriesPerInstance = new FixedWindowBudget(options.WebhookRequestsPerMinute);
    }

    public TimeSpan? SourceBlockedFor(string source) => _refusalsPerSource.BlockedFor(source);

    public void SourceRefused(string source) => _refusalsPerSource.Spend(source);

    public TimeSpan? SpendInstanceDelivery(string instanceName) => _deliveriesPerInstance.Spend(instanceName);

    public void Dispose()
    {
        _refusalsPerSource.Dispose();
        _deliveriesPerInstance.Dispose();
    }
}
