using System.Globalization;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure;

namespace HybridFlow.Api.Security;

/// <summary>RATE_LIMIT_PREVIEW_REPLY_PER_MINUTE previews per tenant (in process, one budget per replica), counted after the caller was admitted to the tenant.</summary>
public sealed class PreviewReplyThrottle : IPreviewReplyThrottle, IDisposable
{
    private readonly FixedWindowBudget _perTenant;

    public PreviewReplyThrottle(OperationsOptions options) => _perTenant = new FixedWindowBudget(options.PreviewRepliesPerMinute);

    public TimeSpan? Spend(long tenantId) => _perTenant.Spend(tenantId.ToString(CultureInfo.InvariantCulture));

    public void Dispose() => _perTenant.Dispose();
}
