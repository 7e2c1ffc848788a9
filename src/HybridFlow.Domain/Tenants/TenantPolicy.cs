namespace HybridFlow.Domain.Tenants;

/// <summary>The per-tenant rules the pipeline needs, with environment defaults already applied.</summary>
public sealed record TenantPolicy(
    long TenantId,
    ReplyMode ReplyMode,
    TimeSpan QuietPeriod,
    TimeSpan Debounce,
    int HistoryMessages,
    bool ExternalSendsPause)
{
    /// <summary>Typing, split replies, handoff, business hours, media and the history budget.</summary>
    public ConversationSettings Conversation { get; init; } = ConversationSettings.Default;

    /// <summary>The tenant's own model account; null: the global one.</summary>
    public LlmCredentials? LlmCredentials { get; init; }

    /// <summary>Where handoff requests are POSTed, signed like the workflow events; null: nowhere.</summary>
    public NotifyTarget? Notify { get; init; }
}
