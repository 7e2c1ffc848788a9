using HybridFlow.Application.SavedReplies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A tenant's saved replies. A shortcut taken by another of the tenant's replies is <see cref="SavedReplyWrite.ShortcutTaken"/>.</summary>
public interface ISavedReplyStore
{
    Task<IReadOnlyList<SavedReplyDto>> ListAsync(long tenantId, CancellationToken ct);

    Task<(SavedReplyWrite Outcome, SavedReplyDto? Reply)> CreateAsync(long tenantId, string shortcut, string text, DateTimeOffset now, CancellationToken ct);

    /// <summary>Changes the fields given (null keeps one); <see cref="SavedReplyWrite.NotFound"/> when the tenant has no such reply.</summary>
    Task<(SavedReplyWrite Outcome, SavedReplyDto? Reply)> UpdateAsync(long tenantId, long replyId, string? shortcut, string? text, DateTimeOffset now,
        CancellationToken ct);

    Task<bool> DeleteAsync(long tenantId, long replyId, CancellationToken ct);
}

public enum SavedReplyWrite
{
    Written,
    NotFound,
    ShortcutTaken,
}
