using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// One database transaction around one chat, holding its session row lock, so that concurrent
/// webhooks, the worker's send re-check and API calls for the same chat are serialized.
/// Disposing without <see cref="IChatUpdate.CommitAsync"/> rolls everything back.
/// </summary>
public interface IChatTransaction : IChatUpdate
{
    Task<MessageAppendResult> AppendMessageAsync(NewChatMessage message, CancellationToken ct);
    Task<MessageDirection?> FindMessageDirectionAsync(string providerMessageId, CancellationToken ct);
    /// <summary>
    /// A message of this chat being sent right now with exactly this text (its echo may beat the send call's answer),
    /// or one whose outcome is unknown (a late echo still proves it).
    /// </summary>
    Task<SendInFlight?> FindSendInFlightAsync(string text, CancellationToken ct);
    Task AttachEchoToSendAsync(long jobId, string providerMessageId, CancellationToken ct);
    /// <summary>Cancels replies not yet sent; returns how many.</summary>
    Task<int> CancelUnsentRepliesAsync(string reason, DateTimeOffset now, CancellationToken ct);
    /// <summary>A person dealt with the chat: its sends of unknown outcome are closed (no longer listed as needs_attention); returns how many.</summary>
    Task<int> AcknowledgeUnknownSendsAsync(string reason, DateTimeOffset now, CancellationToken ct);
}
