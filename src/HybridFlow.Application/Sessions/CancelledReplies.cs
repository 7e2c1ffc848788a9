using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Sessions;

/// <summary>How the timeline records replies cancelled because a person came in (a takeover or a handoff request): one rule for both.</summary>
public static class CancelledReplies
{
    public const string TakeoverReason = "human took over";
    public const string HandoffReason = "a person was requested";

    public static string Action(TenantPolicy tenant) =>
        tenant.ReplyMode == ReplyMode.Workflow ? TimelineActions.WorkflowCancelled : TimelineActions.AiCancelled;

    /// <summary>The detail is "{count} reply cancelled: {reason}"; the store writes the same text when it counts in SQL.</summary>
    public static string Detail(int count, string reason) => $"{count} reply cancelled: {reason}";
}
