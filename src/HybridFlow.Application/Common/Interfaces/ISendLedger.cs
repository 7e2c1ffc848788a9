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

/// <summary>A send whose outcome needs proof, taken by a resolver until <see cref="ClaimedUntil"/> (which fences it).</summary>
public sealed record UnresolvedSend(
    long SendId,
    ReplyJobKind Kind,
    DateTimeOffset ClaimedUntil,
    InstanceContext Instance,
    string ChatId,
    string Text,
    /// <summary>Set when the echo came: that alone proves the send.</summary>
    string? EchoProviderMessageId,
    /// <summary>The send is not older than this (Evolution's clock may differ a little).</summary>
    DateTimeOffset NotBefore,
    /// <summary>Provider ids of the chat's recent messages we know: Evolution's record must show them to prove an absence.</summary>
    IReadOnlyList<string> KnownMessageIds,
    string? CorrelationId,
    /// <summary>The job's part in flight (zero-based), whose text <see cref="Text"/> is.</summary>
    int Part = 0);

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
