using System.Text.Json.Serialization;

namespace HybridFlow.Application.Inbox.Events;

/// <summary>
/// The <c>data</c> of one server-sent event of GET /api/inbox/events. <c>message_id</c> (message.created, reply.sent,
/// handoff.requested) and <c>note_id</c> (note.created) are left out when the event has none.
/// </summary>
public sealed record InboxEventDto(
    long Id,
    string Type,
    long TenantId,
    long SessionId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? MessageId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? NoteId,
    DateTimeOffset At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Direction = null)
{
    public static InboxEventDto From(InboxEvent e) => new(e.Id, e.Type, e.TenantId, e.SessionId, e.MessageId, e.NoteId, e.At, e.Direction);
}
