namespace HybridFlow.Application.Inbox;

/// <summary>The <c>status</c> filter of the conversation list. Every one but resolved and all lists open (not resolved) conversations only.</summary>
public enum ConversationStatusFilter
{
    Open,
    /// <summary>Open, and the bot answers (not paused).</summary>
    Bot,
    /// <summary>Open and paused, for any reason.</summary>
    Paused,
    /// <summary>Open and paused because the customer or the model asked for a person.</summary>
    Handoff,
    /// <summary>The "needs a person" queue: open, and handoff requested or needs_attention.</summary>
    NeedsPerson,
    Resolved,
    All,
}

/// <summary>
/// What the list shows, beyond what the caller may see: <see cref="AssigneeUserId"/> or <see cref="Unassigned"/> (at most one),
/// a normalised tag, and a search text matched against the contact name, the phone digits and the message texts.
/// <see cref="SessionIds"/> narrows it to those conversations (the live list asking which changed ones still belong).
/// </summary>
public sealed record ConversationListFilter(
    ConversationStatusFilter Status, long? AssigneeUserId = null, bool Unassigned = false, string? Tag = null, string? Search = null,
    IReadOnlyList<long>? SessionIds = null);

public static class ConversationStatusFilterNames
{
    public const string Open = "open";
    public const string Bot = "bot";
    public const string Paused = "paused";
    public const string Handoff = "handoff";
    public const string NeedsPerson = "needs_person";
    public const string Resolved = "resolved";
    public const string All = "all";
    public static readonly IReadOnlyList<string> Names = [Open, Bot, Paused, Handoff, NeedsPerson, Resolved, All];

    public static ConversationStatusFilter Parse(string? name) => name switch
    {
        null or "" or Open => ConversationStatusFilter.Open,
        Bot => ConversationStatusFilter.Bot,
        Paused => ConversationStatusFilter.Paused,
        Handoff => ConversationStatusFilter.Handoff,
        NeedsPerson => ConversationStatusFilter.NeedsPerson,
        Resolved => ConversationStatusFilter.Resolved,
        All => ConversationStatusFilter.All,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown status filter."),
    };
}

public static class AssignedToNames
{
    public const string Me = "me";
    public const string Unassigned = "unassigned";
}

public static class InboxLimits
{
    /// <summary>The same as send-message's: one WhatsApp text.</summary>
    public const int TextMax = Messages.Commands.MessageLimits.TextMax;
    public const int NoteMax = 4096;
    public const int SearchMax = 100;
    public const int ThreadDefaultLimit = 50;
    public const int ThreadMaxLimit = 200;
    public const int PreviewLength = 140;
    /// <summary>How many conversations one <c>ids=</c> list may name: a live list's changes of a moment, batched.</summary>
    public const int IdsMax = 100;
    /// <summary>How long "typing…" shows: Evolution's sendPresence blocks that long, so it stays short.</summary>
    public static readonly TimeSpan TypingDuration = TimeSpan.FromSeconds(3);
}
