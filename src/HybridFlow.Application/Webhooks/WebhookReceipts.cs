using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Webhooks;

/// <summary>
/// Receipts (messages.update) and deletions (messages.delete, a REVOKE upsert) of one instance's messages. No chat lock:
/// each is one forward-only statement (<see cref="IMessageReceiptStore"/>), so the most frequent webhook stays cheap.
/// </summary>
public sealed class WebhookReceipts
{
    private readonly IMessageReceiptStore _store;

    public WebhookReceipts(IMessageReceiptStore store) => _store = store;

    /// <summary>The webhook's action: <c>status_updated</c>, <c>message_deleted</c>, or <c>ignored_event</c> for a status HybridFlow does not know.</summary>
    public async Task<string> ApplyAsync(InstanceContext instance, EvolutionReceipt receipt, DateTimeOffset now, CancellationToken ct)
    {
        if (receipt.IsGroup) return TimelineActions.IgnoredGroup;
        if (receipt.IsDeletion) return await DeleteAsync(instance, receipt.ProviderMessageId, now, ct);
        if (receipt.Status is not { } status) return TimelineActions.IgnoredEvent;
        await _store.AdvanceStatusAsync(instance.InstanceId, receipt.ProviderMessageId, status, now, ct);
        return TimelineActions.StatusUpdated;
    }

    /// <summary>A status moving a message forward (the Cloud API's statuses); answers <c>status_updated</c>.</summary>
    public async Task<string> AdvanceAsync(InstanceContext instance, string providerMessageId, MessageStatus status, DateTimeOffset now, CancellationToken ct)
    {
        await _store.AdvanceStatusAsync(instance.InstanceId, providerMessageId, status, now, ct);
        return TimelineActions.StatusUpdated;
    }

    /// <summary>A message that was not delivered (the Cloud API's <c>failed</c>), with the reason for its timeline; answers <c>message_failed</c>.</summary>
    public async Task<string> FailAsync(InstanceContext instance, string providerMessageId, string detail, DateTimeOffset now, CancellationToken ct)
    {
        await _store.RecordFailureAsync(instance.InstanceId, providerMessageId, detail, now, ct);
        return TimelineActions.MessageFailed;
    }

    public async Task<string> DeleteAsync(InstanceContext instance, string providerMessageId, DateTimeOffset now, CancellationToken ct)
    {
        await _store.MarkDeletedAsync(instance.InstanceId, providerMessageId, now, ct);
        return TimelineActions.MessageDeleted;
    }
}
