using HybridFlow.Domain.Inbox;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What a decision of <see cref="IInboxStore.UpdateConversationAsync"/> may do with a conversation whose session row is
/// locked (the lock every chat transaction takes first): change it through the Domain and note timeline events. What it
/// leaves is stored when it answers true.
/// </summary>
public interface IConversationWork
{
    Conversation Conversation { get; }
    Task AddTimelineEventAsync(string action, string? detail, DateTimeOffset now, CancellationToken ct);
}
