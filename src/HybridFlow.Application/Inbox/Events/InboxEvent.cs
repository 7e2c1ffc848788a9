namespace HybridFlow.Application.Inbox.Events;

/// <summary>
/// Something that happened to a conversation, as the database's triggers recorded it (migration V0013): the browser
/// reads what changed through the inbox API by these ids. <see cref="AssigneeUserId"/> is the conversation's assignee
/// when it happened; <see cref="PreviousAssigneeUserId"/> is set on the conversation.updated that took it from someone;
/// <see cref="AssignmentChanged"/> marks any change of assignee, also the one that takes a conversation from the
/// unassigned queue (whose previous assignee is null). <see cref="Direction"/> is a message.created's message's
/// (inbound, bot, human): by the time a client reads the conversation, a later message may already be its last.
/// </summary>
public sealed record InboxEvent(
    long Id,
    string Type,
    long TenantId,
    long SessionId,
    long? MessageId,
    long? NoteId,
    long? AssigneeUserId,
    long? PreviousAssigneeUserId,
    DateTimeOffset At,
    bool AssignmentChanged = false,
    string? Direction = null);

/// <summary>The event types of GET /api/inbox/events (the triggers of V0013 write them).</summary>
public static class InboxEventTypes
{
    public const string MessageCreated = "message.created";
    public const string ConversationUpdated = "conversation.updated";
    public const string SessionPaused = "session.paused";
    public const string SessionResumed = "session.resumed";
    public const string ReplySent = "reply.sent";
    public const string HandoffRequested = "handoff.requested";
    public const string NoteCreated = "note.created";

    public static readonly IReadOnlyList<string> All =
        [MessageCreated, ConversationUpdated, SessionPaused, SessionResumed, ReplySent, HandoffRequested, NoteCreated];
}
