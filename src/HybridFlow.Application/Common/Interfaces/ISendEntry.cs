using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A chat's transaction (its session locked) with one of its sends locked as well: a worker's reply or a send-message
/// call. The handler asks the <see cref="Job"/> and the session what to do; <see cref="IChatUpdate.CommitAsync"/>
/// stores both as the Domain left them.
/// </summary>
public interface ISendEntry : IChatTransaction
{
    /// <summary>The send; null on an entry opened for a new send until <see cref="Register"/>.</summary>
    ReplyJob? Job { get; }

    /// <summary>Adds a new send (an API send, <see cref="ReplyJob.RegisterApiSend"/>); it is inserted on commit, which assigns its id.</summary>
    void Register(ReplyJob send);

    /// <summary>Stores the message that went out, or finds it when its echo was recorded first; answers its id.</summary>
    Task<long> RecordSentMessageAsync(NewChatMessage message, CancellationToken ct);
}
