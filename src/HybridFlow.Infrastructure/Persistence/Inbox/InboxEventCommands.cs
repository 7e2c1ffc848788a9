using HybridFlow.Infrastructure.Persistence.Sessions;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>The inbox events that other owners' statements write themselves, as SQL to embed (the triggers of V0013 write the rest).</summary>
internal static class InboxEventCommands
{
    /// <summary>
    /// An <c>INSERT</c> of one message.created event per row of <paramref name="appendedMessages"/> (a CTE's name, with
    /// the messages' id, tenant_id, session_id and sent_at): what <c>inbox_events_on_message()</c> writes for one row.
    /// </summary>
    public static string MessageCreatedFrom(string appendedMessages) => $"""
        INSERT INTO inbox_events (tenant_id, session_id, type, message_id, assignee_user_id, occurred_at)
        SELECT a.tenant_id, a.session_id, 'message.created', a.id, {SessionCommands.AssigneeOfSession("a.session_id")}, a.sent_at
        FROM {appendedMessages} a
        """;
}
