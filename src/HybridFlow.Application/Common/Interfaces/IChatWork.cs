using HybridFlow.Domain.Messages;
using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What a decision may do with a chat of its own transaction (<see cref="IChatUnitOfWork.RunAsync{T}(SessionLocator, T, Func{IChatWork, CancellationToken, Task{T}}, CancellationToken)"/>):
/// besides the deferred writes (<see cref="ILockedChat"/>), what needs an answer from the database before the decision
/// goes on: messages appended and looked up, the sends of the chat found, registered and recorded, replies cancelled.
/// </summary>
public interface IChatWork : ILockedChat
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

    /// <summary>
    /// Adds a new send of this chat (an API send, <see cref="ReplyJob.RegisterApiSend"/>), registered before the gateway is
    /// called so that an early echo matches it; it is inserted on commit, which assigns its <see cref="ReplyJob.Id"/>.
    /// </summary>
    void Register(ReplyJob send);

    /// <summary>Stores the message a send put out, or finds it when its echo was recorded first; answers its id.</summary>
    Task<long> RecordSentMessageAsync(NewChatMessage message, CancellationToken ct);

    /// <summary>
    /// Ends the decision with nothing written (what it did to the session or the send is not stored): the transaction
    /// rolls back and the unit of work answers <paramref name="answer"/>. For a decision that finds nothing to do.
    /// </summary>
    T RollBack<T>(T answer);
}
