using HybridFlow.Application.Inbox;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>The inbox's reads, in SQL. Every conversation read is limited by a <see cref="ConversationScope"/> (see ConversationAccess).</summary>
public interface IInboxQueries
{
    /// <summary>A page of the conversations the scope sees, newest activity first, and how many match in all.</summary>
    Task<(IReadOnlyList<ConversationDto> Items, long Total)> ListAsync(
        ConversationScope scope, ConversationListFilter filter, int page, int pageSize, CancellationToken ct);

    /// <summary>One conversation, or null when there is none or the scope does not see it.</summary>
    Task<ConversationDto?> FindAsync(ConversationScope scope, long sessionId, CancellationToken ct);

    /// <summary>Up to <paramref name="limit"/> items of the thread (messages, events, notes) strictly before <paramref name="before"/>, newest first.</summary>
    Task<IReadOnlyList<ThreadItemDto>> ThreadAsync(long sessionId, ThreadCursor? before, int limit, CancellationToken ct);

    /// <summary>The tenant's users (tenant admins and agents), by name.</summary>
    Task<IReadOnlyList<AssigneeDto>> AssigneesAsync(long tenantId, CancellationToken ct);

    Task<InboxUser?> FindUserAsync(long userId, CancellationToken ct);
}
