using System.Text.Json.Serialization;
using HybridFlow.Application.Timeline;

namespace HybridFlow.Application.Inbox;

/// <summary>
/// One entry of a conversation's thread, newest first: <c>kind</c> message (a customer's, the bot's or a person's; <c>at</c>
/// is when it was sent), event (an action on the timeline, such as paused or ai_replied) or note (internal, never sent).
/// </summary>
[JsonPolymorphic]
[JsonDerivedType(typeof(ThreadMessageDto))]
[JsonDerivedType(typeof(ThreadEventDto))]
[JsonDerivedType(typeof(NoteDto))]
public abstract record ThreadItemDto(long Id, DateTimeOffset At)
{
    public abstract string Kind { get; }
}

/// <summary>
/// A message: <c>direction</c> inbound, bot or human; <c>status</c> its receipt (SERVER_ACK … PLAYED, null before any);
/// <c>media_text</c> a voice note's transcript or what the model was given for a photo; <c>sent_by</c> the person who sent
/// it from the inbox (null: the bot, the customer, the owner's phone or an API key).
/// </summary>
public sealed record ThreadMessageDto(
    long Id, DateTimeOffset At, string Direction, string MessageType, string? Text, string? MediaText, string? Status,
    DateTimeOffset? DeliveredAt, DateTimeOffset? ReadAt, bool Deleted, PersonDto? SentBy) : ThreadItemDto(Id, At)
{
    public override string Kind => ThreadItemKinds.Message;
}

/// <summary>
/// A timeline action; <c>message_id</c> is the message item it is about, if any. <c>detail</c> is English text;
/// <c>code</c> and <c>params</c> say it for a client to put in its person's language (null when it has no code).
/// </summary>
public sealed record ThreadEventDto(long Id, DateTimeOffset At, string Action, string? Detail, long? MessageId) : ThreadItemDto(Id, At)
{
    public override string Kind => ThreadItemKinds.Event;
    public string? Code => TimelineDetails.Describe(Detail)?.Code;
    public IReadOnlyDictionary<string, string>? Params => TimelineDetails.Describe(Detail)?.Params;
}

/// <summary>An internal note; the author's name is kept even after the user is deleted (then <c>author.id</c> is null).</summary>
public sealed record NoteDto(long Id, DateTimeOffset At, string Text, PersonDto Author) : ThreadItemDto(Id, At)
{
    public override string Kind => ThreadItemKinds.Note;
}

/// <summary>A page of the thread; pass <c>next_before</c> back as <c>before</c> for older items (null: nothing older).</summary>
public sealed record ThreadPageDto(IReadOnlyList<ThreadItemDto> Items, string? NextBefore);

public static class ThreadItemKinds
{
    public const string Message = "message";
    public const string Event = "event";
    public const string Note = "note";

    /// <summary>At the same time a message comes before the events it caused and the notes (oldest first): reversed, newest first.</summary>
    public static int Order(string kind) => kind switch
    {
        Message => 0,
        Event => 1,
        _ => 2,
    };
}
