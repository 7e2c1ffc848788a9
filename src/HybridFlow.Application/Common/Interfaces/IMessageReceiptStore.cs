using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// Receipts and deletions, the most frequent webhooks: each is one statement, without the chat lock. A status only moves
/// forward (<see cref="MessageDelivery.Advance"/>, mirrored in SQL on the status rank), so concurrent and repeated
/// receipts are harmless. One for a message not recorded yet is kept and applied when the message is inserted.
/// </summary>
public interface IMessageReceiptStore
{
    Task<ReceiptTarget> AdvanceStatusAsync(long instanceId, string providerMessageId, MessageStatus status, DateTimeOffset at, CancellationToken ct);

    /// <summary>Marks the message deleted (its text no longer goes to the model); a first deletion is put on its timeline.</summary>
    Task<ReceiptTarget> MarkDeletedAsync(long instanceId, string providerMessageId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// A Cloud API <c>failed</c> status: the message becomes <see cref="MessageStatus.Failed"/> unless it was delivered, and a
    /// first failure is put on its timeline with <paramref name="detail"/>. One for a message not recorded yet is kept like a receipt.
    /// </summary>
    Task<ReceiptTarget> RecordFailureAsync(long instanceId, string providerMessageId, string detail, DateTimeOffset at, CancellationToken ct);

    /// <summary>Applies kept receipts whose message has been recorded since (a race with its insert), then drops those older than the cutoff.</summary>
    Task<int> SettlePendingAsync(DateTimeOffset olderThan, CancellationToken ct);
}
