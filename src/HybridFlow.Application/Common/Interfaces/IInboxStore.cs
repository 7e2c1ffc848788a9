using HybridFlow.Application.Inbox;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The inbox's writes, in SQL.</summary>
public interface IInboxStore
{
    /// <summary>
    /// Locks a conversation the scope sees and runs <paramref name="decide"/> on it. When the decision answers true, the
    /// assignee, tags and resolution are stored as the Domain left them, with the timeline events, in one commit; when
    /// it answers false or throws, nothing is. False, without running the decision, when there is no such conversation
    /// or the scope does not see it.
    /// </summary>
    Task<bool> UpdateConversationAsync(ConversationScope scope, long sessionId, Func<IConversationWork, CancellationToken, Task<bool>> decide, CancellationToken ct);

    Task<NoteDto> AddNoteAsync(long tenantId, long sessionId, PersonDto author, string text, DateTimeOffset now, CancellationToken ct);

    /// <summary>The user has read the conversation up to its newest message (never moves back).</summary>
    Task MarkReadAsync(long sessionId, long userId, DateTimeOffset now, CancellationToken ct);
}
