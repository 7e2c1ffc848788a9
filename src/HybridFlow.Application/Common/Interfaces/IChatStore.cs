using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Application.Common.Interfaces;

public enum MessageDirection
{
    Inbound,
    Bot,
    Human,
}

/// <summary>
/// A message to store. <see cref="ContactName"/>: the customer's WhatsApp name (pushName) on a customer message, kept as the
/// chat's contact_name. <see cref="SentByUserId"/>: the person who sent it from the inbox.
/// </summary>
public sealed record NewChatMessage(
    string ProviderMessageId,
    MessageDirection Direction,
    string MessageType,
    string? Text,
    string RawJson,
    DateTimeOffset SentAt,
    string? ContactName = null,
    long? SentByUserId = null);

/// <summary>Result of appending a message; <see cref="ExistingDirection"/> is set when the provider id was already stored.</summary>
public sealed record MessageAppendResult(long? MessageId, MessageDirection? ExistingDirection)
{
    public bool IsDuplicate => MessageId is null;
}

/// <summary>
/// A send of this chat whose gateway call is under way: a worker's reply (<see cref="MessageDirection.Bot"/>) or a
/// send-message call as bot or as agent (<see cref="MessageDirection.Human"/>). Its echo is recorded with that direction.
/// </summary>
public sealed record SendInFlight(long SendId, MessageDirection Direction);

/// <summary>Where to find an existing session: by id (optionally within a tenant) or by instance and chat.</summary>
public sealed record SessionLocator(long? SessionId, long? TenantId, string? InstanceName, string? ChatId)
{
    public static SessionLocator ById(long id, long? tenantId) => new(id, tenantId, null, null);
    public static SessionLocator ByChat(string instanceName, string chatId, long? tenantId = null) => new(null, tenantId, instanceName, chatId);

    /// <summary>The same place, limited to what the caller may see.</summary>
    public SessionLocator Within(long? tenantId) => this with { TenantId = tenantId };
}

/// <summary>
/// A chat's session, locked, with writes that nobody reads back before the commit: the session as the domain leaves
/// it, timeline events and queued replies. Whoever opened the chat commits them.
/// </summary>
public interface ILockedChat
{
    ChatSession Session { get; }
    /// <summary>
    /// Queues a reply, or pushes an already pending one back so that it also covers this message (debounce).
    /// The job keeps the correlation id of the request that first queued it.
    /// </summary>
    Task EnqueueReplyAsync(long triggerMessageId, DateTimeOffset dueAt, DateTimeOffset now, string? correlationId, CancellationToken ct);
    Task AddTimelineEventAsync(string action, string? detail, long? messageId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Queues a notice (<see cref="ReplyJob.QueueNotice"/>) beside any pending reply: a worker sends it without the model.</summary>
    Task EnqueueNoticeAsync(ReplyJob notice, long? triggerMessageId, string? correlationId, CancellationToken ct);
    /// <summary>
    /// Cancels the chat's replies and away messages not yet sent (a person was requested); the handoff message stays.
    /// When any were cancelled, the timeline gets <paramref name="cancelledAction"/> with
    /// <c>CancelledReplies.Detail(count, reason)</c>, and the cancelled-jobs metric counts them after the commit.
    /// </summary>
    Task CancelRepliesForHandoffAsync(string cancelledAction, string reason, long? messageId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Queues a POST to the tenant's notify_url (<see cref="INotifyOutbox"/>).</summary>
    Task EnqueueNotificationAsync(HandoffNotification notification, DateTimeOffset now, CancellationToken ct);
}

/// <summary>A locked chat that its caller commits. Disposing without <see cref="CommitAsync"/> rolls everything back.</summary>
public interface IChatUpdate : ILockedChat, IAsyncDisposable
{
    /// <summary>Stores the session as the domain left it and commits; returns once the commit is durable.</summary>
    Task CommitAsync(CancellationToken ct);
}

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

public interface IChatStore
{
    /// <summary>Opens (creating it if needed) and locks the session of a chat.</summary>
    Task<IChatTransaction> OpenForMessageAsync(InstanceContext instance, string chatId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// The customer-message hot path: opens and locks the chat's session and appends <paramref name="message"/>, lets
    /// <paramref name="decide"/> act on them, then commits what it wrote and answers its result once the commit is
    /// durable. A duplicate reaches <paramref name="decide"/> as <see cref="MessageAppendResult.IsDuplicate"/> (without
    /// its original direction), and nothing it writes then is stored; if <paramref name="decide"/> throws, nothing is.
    /// The store may run <paramref name="decide"/> more than once, each time on a freshly opened chat: a run whose
    /// transaction was rolled back left nothing behind, so <paramref name="decide"/> must act only through the chat.
    /// </summary>
    Task<T> RecordInboundMessageAsync<T>(
        InstanceContext instance, string chatId, NewChatMessage message, DateTimeOffset now,
        Func<ILockedChat, MessageAppendResult, CancellationToken, Task<T>> decide, CancellationToken ct);

    /// <summary>Opens and locks an existing session; null when there is none.</summary>
    Task<IChatTransaction?> OpenExistingAsync(SessionLocator locator, CancellationToken ct);

    /// <summary>Paused sessions that may be due for auto-resume, oldest first, with their tenant's quiet period.</summary>
    Task<IReadOnlyList<(long SessionId, TimeSpan QuietPeriod)>> FindAutoResumeCandidatesAsync(DateTimeOffset now, int limit, CancellationToken ct);
}
