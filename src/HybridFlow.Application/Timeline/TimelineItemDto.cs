namespace HybridFlow.Application.Timeline;

/// <summary>
/// One entry of a session's timeline. <c>kind</c> <c>message</c> fills direction, message_type, text and
/// provider_message_id (<c>at</c> is when it was sent); <c>event</c> fills action, detail and message_id (the message
/// item it is about, if any; <c>at</c> is when it happened), and the detail's <c>code</c> and <c>params</c>. The other fields are null.
/// A message also carries its delivery <c>status</c> (SERVER_ACK, DELIVERY_ACK, READ, PLAYED; null before any receipt),
/// when it was first delivered and read, <c>deleted</c>/<c>deleted_at</c>, and <c>media_text</c>: a voice note's
/// transcript or what was sent to the model for a photo.
/// </summary>
public sealed record TimelineItemDto(
    string Kind,
    long Id,
    DateTimeOffset At,
    string? Direction,
    string? MessageType,
    string? Text,
    string? ProviderMessageId,
    string? Action,
    string? Detail,
    long? MessageId,
    string? Status = null,
    DateTimeOffset? DeliveredAt = null,
    DateTimeOffset? ReadAt = null,
    bool? Deleted = null,
    DateTimeOffset? DeletedAt = null,
    string? MediaText = null)
{
    /// <summary>An event's detail as a code (ADR-017), for a client to say in its person's language; null without one.</summary>
    public string? Code => Kind == TimelineItemKinds.Event ? TimelineDetails.Describe(Detail)?.Code : null;
    public IReadOnlyDictionary<string, string>? Params => Kind == TimelineItemKinds.Event ? TimelineDetails.Describe(Detail)?.Params : null;
}

public static class TimelineItemKinds
{
    public const string Message = "message";
    public const string Event = "event";
}
