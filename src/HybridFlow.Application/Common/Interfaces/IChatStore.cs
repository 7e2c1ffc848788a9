using HybridFlow.Domain.Sessions;

namespace HybridFlow.Application.Common.Interfaces;

public enum MessageDirection
{
    Inbound,
    Bot,
    Human,
}

public sealed record NewChatMessage(
    string ProviderMessageId,
    MessageDirection Direction,
    string MessageType,
    string? Text,
    string RawJson,
    DateTimeOffset SentAt);

/// <summary>Result of appending a message; <see cref="ExistingDirection"/> is set when the provider id was already stored.</summary>
public sealed record MessageAppendResult(long? MessageId, MessageDirection? ExistingDirection)
{
    public bool IsDuplicate => MessageId is null;
}

/// <summary>Where to find an existing session: by id (optionally within a tenant) or by instance and chat.</summary>
public sealed record SessionLocator(long? SessionId, long? TenantId, string? InstanceName, string? ChatId)
{
    public static SessionLocator ById(long id, long? tenantId) => new(id, tenantId, null, null);
    public static SessionLocator ByChat(string instanceName, string chatId, long? tenantId = null) => new(null, tenantId, instanceName, chatId);

    /// <summary>The same place, limited to what the caller may see.</summary>
    public SessionLocator Within(long? tenantId) => this with { TenantId = tenantId };
}

/// <summary>
/// One database transaction around one chat, holding its session row lock, so that concurrent
/// webhooks, the worker's send re-check and API calls for the same chat are serialized.
/// Disposing without <see cref="CommitAsync"/> rolls everything back.
/// </summary>
public interface IChatTransaction : IAsyncDisposable
{
    ChatSession Session { get; }
    Task<MessageAppendResult> AppendMessageAsync(NewChatMessage message, CancellationToken ct);
    Task<MessageDirection?> FindMessageDirectionAsync(string providerMessageId, CancellationToken ct);
    /// <summary>A reply of this chat being sent right now with exactly this text (its echo may beat the send call's answer).</summary>
    Task<long?> FindSendInFlightAsync(string text, CancellationToken ct);
    Task AttachEchoToSendAsync(long jobId, string providerMessageId, CancellationToken ct);
    /// <summary>
    /// Queues a reply, or pushes an already pending one back so that it also covers this message (debounce).
    /// The job keeps the correlation id of the request that first queued it.
    /// </summary>
    Task EnqueueReplyAsync(long triggerMessageId, DateTimeOffset dueAt, DateTimeOffset now, string? correlationId, CancellationToken ct);
    /// <summary>Cancels replies not yet sent; returns how many.</summary>
    Task<int> CancelUnsentRepliesAsync(string reason, DateTimeOffset now, CancellationToken ct);
    Task AddTimelineEventAsync(string action, string? detail, long? messageId, DateTimeOffset now, CancellationToken ct);
    /// <summary>Stores the session as the domain left it and commits.</summary>
    Task CommitAsync(CancellationToken ct);
}

public interface IChatStore
{
    /// <summary>Opens (creating it if needed) and locks the session of a chat.</summary>
    Task<IChatTransaction> OpenForMessageAsync(InstanceContext instance, string chatId, DateTimeOffset now, CancellationToken ct);

    /// <summary>Opens and locks an existing session; null when there is none.</summary>
    Task<IChatTransaction?> OpenExistingAsync(SessionLocator locator, CancellationToken ct);

    /// <summary>Ids of paused sessions that may be due for auto-resume, oldest first.</summary>
    Task<IReadOnlyList<long>> FindAutoResumeCandidatesAsync(DateTimeOffset now, int limit, CancellationToken ct);

    /// <summary>The quiet period that applies to a session's tenant.</summary>
    Task<TimeSpan> QuietPeriodOfSessionAsync(long sessionId, CancellationToken ct);
}
