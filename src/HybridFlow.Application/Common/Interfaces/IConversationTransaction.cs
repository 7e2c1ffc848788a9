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
