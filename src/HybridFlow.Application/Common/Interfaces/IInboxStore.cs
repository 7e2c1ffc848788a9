using HybridFlow.Application.Inbox;
using HybridFlow.Domain.Inbox;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A conversation's inbox state, its session row locked (the lock every chat transaction takes first). Disposing without
/// <see cref="CommitAsync"/> rolls everything back.
/// </summary>
public interface IConversationTransaction : IAsyncDisposable
{
    Conversation Conversation { get; }
    Task AddTimelineEventAsync(string action, string? detail, DateTimeOffset now, CancellationToken ct);
    /// <summary>Stores the assignee, tags and resolution as the Domain left them, with the events, and commits.</summary>
    Task CommitAsync(CancellationToken ct);
}

/// <summary>The inbox's writes, in SQL.</summary>
public interface IInboxStore
{
    /// <summary>Locks a conversation the scope sees; null when there is none or the scope does not see it.</summary>
    Task<IConversationTransaction?> OpenAsync(ConversationScope scope, long sessionId, CancellationToken ct);

    Task<NoteDto> AddNoteAsync(long tenantId, long sessionId, PersonDto author, string text, DateTimeOffset now, CancellationToken ct);

    /// <summary>The user has read the conversation up to its newest message (never moves back).</summary>
    Task MarkReadAsync(long sessionId, long userId, DateTimeOffset now, CancellationToken ct);
}
