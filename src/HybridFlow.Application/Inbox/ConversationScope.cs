using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// The inbox's visibility rule, in one place, in C# (<see cref="Sees"/>) and in SQL (<see cref="SqlCondition"/>): the
/// platform admin sees every tenant (or the one it asks for), a tenant admin and an agent API key their tenant, an agent
/// who logged in (<see cref="AgentUserId"/>) the conversations assigned to them plus the unassigned ones. Anything else is
/// a 404, for reads and writes alike. Every conversation read and write (InboxQueries, InboxStore), the event stream
/// (InboxEventVisibility) and the list's live updates (GET /api/inbox/conversations?ids=) apply it from here.
/// <see cref="ReaderUserId"/> is whose read state the unread counts are of (null for an API key: counts are 0).
/// </summary>
public sealed record ConversationScope(long? TenantId, long? AgentUserId, long? ReaderUserId)
{
    /// <summary>The caller's scope; another tenant's <paramref name="requestedTenant"/> is a 404.</summary>
    public static ConversationScope Of(ICurrentCaller caller, long? requestedTenant = null) =>
        new(caller.TenantFilter(requestedTenant), caller.Role == CallerRole.Agent ? caller.UserId : null, caller.UserId);

    /// <summary>Whether a conversation of <paramref name="tenantId"/>, assigned to <paramref name="assigneeUserId"/>, is seen.</summary>
    public bool Sees(long tenantId, long? assigneeUserId) =>
        (TenantId is not { } tenant || tenantId == tenant)
        && (AgentUserId is not { } agent || assigneeUserId is null || assigneeUserId == agent);

    /// <summary>
    /// <see cref="Sees"/> as a SQL condition over the read model's columns (named by the caller); <paramref name="bind"/>
    /// turns a value into a parameter placeholder. Null when the scope sees everything.
    /// </summary>
    public string? SqlCondition(string tenantColumn, string assigneeColumn, Func<object, string> bind)
    {
        var conditions = new List<string>(2);
        if (TenantId is { } tenant) conditions.Add($"{tenantColumn} = {bind(tenant)}");
        if (AgentUserId is { } agent) conditions.Add($"({assigneeColumn} IS NULL OR {assigneeColumn} = {bind(agent)})");
        return conditions.Count == 0 ? null : string.Join(" AND ", conditions);
    }
}
