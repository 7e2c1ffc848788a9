using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The unit of work over one chat: lock the chat, run the decision, write what it says, commit. Every change to a chat
/// goes through it, in one of two strategies: the customer-message path shares its transaction with other chats
/// (group commit, <see cref="RecordCustomerMessageAsync"/>); everything else (the business side's messages, sends,
/// the API, pauses and sweeps) has a transaction of its own chat (<see cref="RunAsync{T}(SessionLocator, T, Func{IChatWork, CancellationToken, Task{T}}, CancellationToken)"/>
/// and its overloads).
/// <para>
/// The contract of every decision: it runs on a freshly opened chat, holding its lock, and acts only through the chat it
/// is given (no other writes, no calls out), because it may be run more than once: a run whose transaction was rolled
/// back left nothing behind. Returning commits what it wrote (the unit of work answers once the commit is durable), and
/// so does the session and the send as the Domain left them; throwing rolls everything back and reaches the caller;
/// <see cref="IChatWork.RollBack{T}"/> rolls back without an error.
/// </para>
/// </summary>
public interface IChatUnitOfWork
{
    /// <summary>
    /// The customer-message hot path: opens (creating it if needed) and locks the chat's session and appends
    /// <paramref name="message"/>, lets <paramref name="decide"/> act on them, then commits, sharing the transaction with
    /// other chats' messages when it can. A duplicate reaches <paramref name="decide"/> as
    /// <see cref="MessageAppendResult.IsDuplicate"/> (without its original direction), and nothing it writes then is
    /// stored. The decision gets the chat's deferred writes only (<see cref="ILockedChat"/>): a group costs two round
    /// trips and one commit, whatever its size. When a shared transaction rolls back because of another chat,
    /// <paramref name="decide"/> runs again, alone.
    /// </summary>
    Task<T> RecordCustomerMessageAsync<T>(
        InstanceContext instance, string chatId, NewChatMessage message, DateTimeOffset now,
        Func<ILockedChat, MessageAppendResult, CancellationToken, Task<T>> decide, CancellationToken ct);

    /// <summary>The chat of <paramref name="instance"/>, its session created if missing.</summary>
    Task<T> RunAsync<T>(
        InstanceContext instance, string chatId, DateTimeOffset now, Func<IChatWork, CancellationToken, Task<T>> decide, CancellationToken ct);

    /// <summary>An existing chat; answers <paramref name="whenGone"/>, without running the decision, when there is none.</summary>
    Task<T> RunAsync<T>(SessionLocator locator, T whenGone, Func<IChatWork, CancellationToken, Task<T>> decide, CancellationToken ct);

    /// <summary>
    /// A send (a reply job or an API send): its chat locked, then the send (the lock order of every chat transaction),
    /// which <paramref name="decide"/> gets as the Domain's <see cref="ReplyJob"/> and which is stored as it leaves it.
    /// Answers <paramref name="whenGone"/>, without running the decision, when the send or its chat is gone.
    /// </summary>
    Task<T> RunOnSendAsync<T>(long sendId, T whenGone, Func<IChatWork, ReplyJob, CancellationToken, Task<T>> decide, CancellationToken ct);
}
