namespace HybridFlow.Application.Common.Interfaces;

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
