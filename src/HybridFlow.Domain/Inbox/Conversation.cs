namespace HybridFlow.Domain.Inbox;

/// <summary>
/// A chat as the operator inbox handles it: who has it, its tags, and whether it is resolved. Transitions return what
/// happened (the names are the timeline actions); repeating one changes nothing and answers <see cref="ConversationOutcome.Unchanged"/>.
/// Who may do what is the caller's rule (the Application's ConversationAccess), not the conversation's.
/// </summary>
public sealed class Conversation
{
    private Conversation() { }

    public static Conversation Restore(long sessionId, long tenantId, long? assigneeUserId, IReadOnlyList<string> tags, DateTimeOffset? resolvedAt) => new()
    {
        SessionId = sessionId, TenantId = tenantId, AssigneeUserId = assigneeUserId, Tags = tags, ResolvedAt = resolvedAt,
    };

    public long SessionId { get; private set; }
    public long TenantId { get; private set; }
    public long? AssigneeUserId { get; private set; }
    public IReadOnlyList<string> Tags { get; private set; } = [];
    public DateTimeOffset? ResolvedAt { get; private set; }
    public bool IsResolved => ResolvedAt is not null;

    /// <summary>Gives the conversation to <paramref name="userId"/>, or back to the unassigned queue with null.</summary>
    public ConversationOutcome AssignTo(long? userId)
    {
        if (AssigneeUserId == userId) return ConversationOutcome.Unchanged;
        AssigneeUserId = userId;
        return userId is null ? ConversationOutcome.Unassigned : ConversationOutcome.Assigned;
    }

    /// <summary>A person took the conversation over: it becomes theirs unless someone already has it.</summary>
    public ConversationOutcome TakeOver(long userId) =>
        AssigneeUserId is null ? AssignTo(userId) : ConversationOutcome.Unchanged;

    /// <summary>Replaces the tags (normalised by <see cref="ConversationTags.Normalize"/>, which throws for invalid ones).</summary>
    public ConversationOutcome Tag(IEnumerable<string> tags)
    {
        var normalized = ConversationTags.Normalize(tags);
        if (normalized.SequenceEqual(Tags, StringComparer.Ordinal)) return ConversationOutcome.Unchanged;
        Tags = normalized;
        return ConversationOutcome.Tagged;
    }

    public ConversationOutcome Resolve(DateTimeOffset now)
    {
        if (IsResolved) return ConversationOutcome.Unchanged;
        ResolvedAt = now;
        return ConversationOutcome.Resolved;
    }

    /// <summary>A person reopened it (a customer's new message reopens it in the ingest SQL, the same way).</summary>
    public ConversationOutcome Reopen()
    {
        if (!IsResolved) return ConversationOutcome.Unchanged;
        ResolvedAt = null;
        return ConversationOutcome.Reopened;
    }
}

public enum ConversationOutcome
{
    Unchanged,
    Assigned,
    Unassigned,
    Tagged,
    Resolved,
    Reopened,
}
