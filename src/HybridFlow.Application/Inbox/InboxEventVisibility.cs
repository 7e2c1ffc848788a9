using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Inbox.Events;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// Which inbox events a caller receives: the inbox's visibility rule applied to an event. The platform admin sees every
/// tenant (or the one it asked for), a tenant caller its tenant; an agent user (a person, not an agent API key) only the
/// conversations assigned to them or to nobody when the event happened, plus the conversation.updated that took one away
/// from them or out of the unassigned queue they also see (so the browser can drop it from the list).
/// </summary>
public sealed record InboxEventVisibility(ConversationScope Scope)
{
    public static InboxEventVisibility For(ICurrentCaller caller, long? requestedTenantId) => new(ConversationScope.Of(caller, requestedTenantId));

    public bool CanSee(InboxEvent e) =>
        Scope.Sees(e.TenantId, e.AssigneeUserId)
        // The reassignment that took it out of what they saw: seen as it was before.
        || (e.Type == InboxEventTypes.ConversationUpdated && e.AssignmentChanged && Scope.Sees(e.TenantId, e.PreviousAssigneeUserId));
}
