namespace HybridFlow.Application.Inbox;

/// <summary>A person named in the inbox: an assignee, the sender of a message, a note's author (id null: no longer a user, or an API key).</summary>
public sealed record PersonDto(long? Id, string DisplayName);

/// <summary>The newest message of a conversation; <c>text</c> is cut to 140 characters.</summary>
public sealed record LastMessageDto(string Direction, string? Text, string MessageType, DateTimeOffset At);

/// <summary>
/// A conversation (a chat session) in the inbox. <c>status</c>: bot (the bot answers), paused, handoff (the customer or the
/// model asked for a person) or resolved. <c>phone</c>: the chat id's digits for a phone chat (null for a hidden @lid
/// number). <c>unread_count</c>: the customer's messages after what the caller last read (always 0 for an API key).
/// <c>needs_attention</c>: a send of the chat could not be proved sent or not, or the chat was flagged for a person (ignored_stale, model account out of credit).
/// <c>channel</c>: evolution or meta_cloud (WhatsApp's Cloud API); <c>service_window</c>: a meta_cloud conversation's
/// 24-hour window (null for evolution, which has none).
/// </summary>
public sealed record ConversationDto(
    long SessionId,
    long TenantId,
    string InstanceName,
    string ChatId,
    string? Phone,
    string? ContactName,
    string Status,
    bool IsPaused,
    string? PauseReason,
    DateTimeOffset? PausedUntil,
    bool NeedsAttention,
    PersonDto? Assignee,
    IReadOnlyList<string> Tags,
    long UnreadCount,
    LastMessageDto? LastMessage,
    DateTimeOffset? LastMessageAt,
    string Channel = "evolution",
    ServiceWindowDto? ServiceWindow = null);

/// <summary>
/// WhatsApp's customer service window of a Cloud API conversation: free-form messages only while <c>open</c>, until
/// <c>closes_at</c> (24 hours after the customer's last message, by its WhatsApp timestamp; null: the customer never
/// wrote). Once closed, only an approved template may be sent.
/// </summary>
public sealed record ServiceWindowDto(bool Open, DateTimeOffset? ClosesAt)
{
    public static ServiceWindowDto Of(Domain.Chats.ServiceWindow window, DateTimeOffset now) => new(window.IsOpenAt(now), window.ClosesAt);
}

/// <summary>An entry of the assignment menu: a user of the tenant.</summary>
public sealed record AssigneeDto(long Id, string DisplayName, string Role);

public sealed record AssigneeListDto(IReadOnlyList<AssigneeDto> Items);

/// <summary>The answer of a send from the inbox: the conversation afterwards (paused, assigned) and WhatsApp's id of the message.</summary>
public sealed record InboxMessageSentDto(ConversationDto Conversation, string ProviderMessageId);

public static class ConversationStatuses
{
    public const string Bot = "bot";
    public const string Paused = "paused";
    public const string Handoff = "handoff";
    public const string Resolved = "resolved";

    public static string Of(bool resolved, bool isPaused, string? pauseReason) =>
        resolved ? Resolved
        : !isPaused ? Bot
        : pauseReason == Domain.Sessions.PauseReasonNames.HandoffRequested ? Handoff
        : Paused;

    /// <summary>The phone number of a phone chat (its digits); null for other chats.</summary>
    public static string? PhoneOf(string chatId) =>
        Domain.Chats.ChatId.TryParse(chatId, out var id) && id.IsPhone ? id.Value[..id.Value.IndexOf('@', StringComparison.Ordinal)] : null;
}
