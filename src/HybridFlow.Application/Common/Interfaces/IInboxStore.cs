using HybridFlow.Application.Inbox;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The inbox's writes, in SQL.</summary>
public interface IInboxStore
{
    /// <summary>Locks a conversation the scope sees; null when there is none or the scope does not see it.</summary>
    Task<IConversationTransaction?> OpenAsync(ConversationScope scope, long sessionId, CancellationToken ct);

    Task<NoteDto> AddNoteAsync(long tenantId, long sessionId, PersonDto author, string text, DateTimeOffset now, CancellationToken ct);

    /// <summary>The user has read the conversation up to its newest message (never moves back).</summary>
    Task MarkReadAsync(long sessionId, long userId, DateTimeOffset now, CancellationToken ct);
}
