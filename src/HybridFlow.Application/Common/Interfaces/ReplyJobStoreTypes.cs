using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// A claimed job. <see cref="Attempt"/> fences it: only the worker holding the current attempt may finish it.
/// <see cref="CorrelationId"/> is the X-Correlation-Id of the webhook that queued it. <see cref="HasSentParts"/>: some of
/// its parts went out already (a crash, a retry or a resolved send in between), so it carries on instead of writing again.
/// </summary>
public sealed record ClaimedReplyJob(long JobId, long SessionId, int Attempt, string? CorrelationId = null, bool HasSentParts = false);

public sealed record ReplyContext(
    long JobId,
    long SessionId,
    string ChatId,
    InstanceContext Instance,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    IReadOnlyList<ConversationTurn> History,
    HybridFlow.Domain.Replies.ReplyJobKind Kind = HybridFlow.Domain.Replies.ReplyJobKind.Reply,
    /// <summary>A notice's fixed text, set when it was queued (no model call).</summary>
    string? PresetText = null,
    /// <summary>Some of the job's messages are voice notes or photos, to be prepared before the prompt.</summary>
    bool HasMediaTriggers = false)
{
    /// <summary>The tenant's monthly token budget on the platform's model account; null: unlimited.</summary>
    public long? MonthlyTokenBudget { get; init; }

    /// <summary>Tokens the tenant used on the platform's account this calendar month (UTC), read with the context.</summary>
    public long PlatformTokensThisMonth { get; init; }

    /// <summary>
    /// A Cloud API chat's: the WhatsApp timestamp of the customer's last message, which WhatsApp's 24-hour window is
    /// counted from (null: none, or an Evolution chat, which is not bound by it).
    /// </summary>
    public DateTimeOffset? LastCustomerMessageAt { get; init; }
}

/// <summary>What a workflow-mode job carries besides its <see cref="ReplyContext"/>: the tenant's own target and the messages.</summary>
public sealed record WorkflowJob(
    string DeliveryId,
    string? WorkflowUrl,
    string? WorkflowSecret,
    IReadOnlyList<WorkflowEventMessage> Messages,
    IReadOnlyList<WorkflowHistoryMessage> History,
    bool WorkflowUrlTrusted = false);

/// <summary>Who produces a job's reply; it names the job's timeline events (<c>ai_*</c> or <c>workflow_*</c>).</summary>
public enum ReplyChannel
{
    Ai,
    Workflow,
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
