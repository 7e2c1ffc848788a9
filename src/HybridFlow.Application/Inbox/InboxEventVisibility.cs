using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Inbox.Events;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// Which inbox events a caller receives: the inbox's visibility rule applied to an event. The platform admin sees every
/// tenant (or the one it asked for), a tenant caller its tenant; an agent user (a person, not an agent API key) only the
/// conversations assigned to them or to nobody when the event happened, plus the conversation.updated that took one away
/// from them or out of the unassigned queue they also see (so the browser can drop it from the list).
/// </summary>
public sealed record InboxEventVisibility(long? TenantId, long? AgentUserId)
{
    public static InboxEventVisibility For(ICurrentCaller caller, long? requestedTenantId)
    {
        var scope = ConversationScope.Of(caller, requestedTenantId);
        return new(scope.TenantId, scope.AgentUserId);
    }

    public bool CanSee(InboxEvent e)
    {
        if (TenantId is { } tenant && e.TenantId != tenant) return false;
        if (AgentUserId is not { } me) return true;
        return e.AssigneeUserId is null || e.AssigneeUserId == me
            || (e.Type == InboxEventTypes.ConversationUpdated && e.AssignmentChanged && (e.PreviousAssigneeUserId is null || e.PreviousAssigneeUserId == me));
    }
}
