using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>A customer message that started the job, as the workflow receives it.</summary>
public sealed record WorkflowEventMessage(string ProviderMessageId, string? Text, string MessageType, DateTimeOffset SentAt);

/// <summary>One earlier message of the chat (<c>inbound</c>, <c>bot</c> or <c>human</c>), oldest first.</summary>
public sealed record WorkflowHistoryMessage(MessageDirection Direction, string ProviderMessageId, string? Text, string MessageType, DateTimeOffset SentAt);

/// <summary>
/// The normalized event POSTed to a tenant's workflow. The workflow answers later through
/// <c>POST /api/evolution/send-message</c> with <c>"as": "bot"</c> (<see cref="ReplyUrl"/> when the public address is known).
/// </summary>
public sealed record WorkflowEvent(
    string EventId,
    long TenantId,
    string InstanceName,
    string ChatId,
    long SessionId,
    IReadOnlyList<WorkflowEventMessage> Messages,
    IReadOnlyList<WorkflowHistoryMessage> History,
    string? ReplyUrl);

/// <summary>
/// Where a workflow event goes and how it is signed. <see cref="BearerToken"/> is only set for the global N8N_WEBHOOK_URL.
/// <see cref="Trusted"/>: set by the platform admin or the environment, so the outbound address guard does not apply.
/// </summary>
public sealed record WorkflowTarget(string Url, string SigningSecret, string? BearerToken, bool Trusted = false);

/// <summary>One POST of one job; <see cref="DeliveryId"/> is the same on every retry so the workflow can drop repeats.</summary>
public sealed record WorkflowDispatch(WorkflowTarget Target, string DeliveryId, WorkflowEvent Event);

/// <summary>The workflow did not take the event (non-2xx, timeout, unreachable); the outbox retries it unless <see cref="IsPermanent"/>.</summary>
public sealed class WorkflowDispatchException : Exception
{
    public WorkflowDispatchException(string message, Exception? inner = null, bool isPermanent = false) : base(message, inner) => IsPermanent = isPermanent;

    /// <summary>Retrying cannot help (the outbound address guard refused the target).</summary>
    public bool IsPermanent { get; }
}
