using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The one send protocol of every message HybridFlow sends (worker replies and the send-message API): registered under
/// the chat's lock before the gateway is called (so an early echo matches), then completed with the provider's id,
/// failed, or — when the gateway's answer was lost — resolved by proof.
/// </summary>
public interface ISendLedger
{
    /// <summary>Opens (creating it if needed) and locks the chat, for a send that is not registered yet.</summary>
    Task<ISendEntry> OpenForNewSendAsync(InstanceContext instance, string chatId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Locks the send's chat, then the send; null when either is gone.</summary>
    Task<ISendEntry?> OpenAsync(long sendId, CancellationToken ct);

    /// <summary>Takes the sends due for proof (<see cref="ReplyJob.IsDueForResolution"/>) with SKIP LOCKED, for <paramref name="lease"/>.</summary>
    Task<IReadOnlyList<UnresolvedSend>> ClaimUnresolvedAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct);
}
