using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Tenants;

/// <summary>A tenant as the API shows it; <see cref="WorkflowSecret"/> and <see cref="LlmApiKey"/> are never shown in full.</summary>
public sealed record TenantDto(
    long Id,
    string Name,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    string ReplyMode,
    string? WorkflowUrl,
    string? WorkflowSecret,
    int ResumeAfterMinutes,
    int DebounceSeconds,
    int HistoryMessages,
    bool ExternalSendsPause,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public bool TypingIndicator { get; init; } = ConversationSettings.Default.TypingIndicator;
    public int TypingMsPerChar { get; init; } = ConversationSettings.Default.TypingMsPerChar;
    public bool SplitMessages { get; init; } = ConversationSettings.Default.SplitMessages;
    public int MaxReplyParts { get; init; } = ConversationSettings.Default.MaxReplyParts;
    public IReadOnlyList<string> HandoffKeywords { get; init; } = ConversationSettings.Default.HandoffKeywords;
    public string HandoffMessage { get; init; } = ConversationSettings.Default.EffectiveHandoffMessage;
    public string Timezone { get; init; } = ConversationSettings.Default.Timezone;
    public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? BusinessHours { get; init; }
    public string OutsideHours { get; init; } = OutsideHoursPolicyNames.Reply;
    public string AwayMessage { get; init; } = ConversationSettings.Default.EffectiveAwayMessage;
    public string? TranscriptionModel { get; init; }
    public string? VisionModel { get; init; }
    public string? UnsupportedMediaReply { get; init; }
    public int HistoryTokenBudget { get; init; } = ConversationSettings.Default.HistoryTokenBudget;
    public int StaleMessageMinutes { get; init; } = ConversationSettings.Default.StaleMessageMinutes;
    /// <summary>Masked; null: the global key.</summary>
    public string? LlmApiKey { get; init; }
    public string? LlmBaseUrl { get; init; }
    public string? NotifyUrl { get; init; }
    /// <summary>Tokens a month on the platform's model account (input plus output, UTC calendar month); null: unlimited.</summary>
    public long? MonthlyTokenBudget { get; init; }
    /// <summary>The model replies use now: llm_model when allowed, else the provider's configured one (see <see cref="ModelFallback"/>).</summary>
    public string? LlmModelEffective { get; init; }
    /// <summary>Set when a chosen model is not allowed on the platform's key (LLM_ALLOWED_MODELS changed) and calls fall back.</summary>
    public string? ModelFallback { get; init; }
    /// <summary>pt, es or en: the language of the default texts (no-model reply, handoff and away messages).</summary>
    public string Language { get; init; } = ConversationSettings.Default.Language;

    /// <summary>
    /// What an agent (user or key) may read: the tenant's name and conversation settings, but no prompt, no workflow,
    /// notify or model URL and no secret tails. Tenant admins and the platform admin see everything.
    /// </summary>
    public TenantDto AsSeenBy(ICurrentCaller caller) => caller.Role <= CallerRole.TenantAdmin ? this : this with
    {
        SystemPrompt = null,
        WorkflowUrl = null,
        WorkflowSecret = null,
        LlmApiKey = null,
        LlmBaseUrl = null,
        NotifyUrl = null,
    };

    public TenantDto WithConversation(ConversationSettings c) => this with
    {
        TypingIndicator = c.TypingIndicator,
        TypingMsPerChar = c.TypingMsPerChar,
        SplitMessages = c.SplitMessages,
        MaxReplyParts = c.MaxReplyParts,
        HandoffKeywords = c.HandoffKeywords,
        HandoffMessage = c.EffectiveHandoffMessage,
        Timezone = c.Timezone,
        BusinessHours = BusinessHoursFormat.Format(c.BusinessHours),
        OutsideHours = c.OutsideHours.ToName(),
        AwayMessage = c.EffectiveAwayMessage,
        TranscriptionModel = c.TranscriptionModel,
        VisionModel = c.VisionModel,
        UnsupportedMediaReply = c.UnsupportedMediaReply,
        HistoryTokenBudget = c.HistoryTokenBudget,
        StaleMessageMinutes = c.StaleMessageMinutes,
        Language = c.Language,
    };
}

public sealed record NewTenant(
    string Name,
    string? SystemPrompt,
    string? LlmProvider,
    string? LlmModel,
    string ReplyMode,
    string? WorkflowUrl,
    string? WorkflowSecret,
    int ResumeAfterMinutes,
    int DebounceSeconds,
    int HistoryMessages,
    bool ExternalSendsPause,
    bool WorkflowUrlTrusted = false)
{
    public ConversationSettings Conversation { get; init; } = ConversationSettings.Default;
    public string? LlmApiKey { get; init; }
    public string? LlmBaseUrl { get; init; }
    public bool LlmBaseUrlTrusted { get; init; }
    public string? NotifyUrl { get; init; }
    public bool NotifyUrlTrusted { get; init; }
    public long? MonthlyTokenBudget { get; init; }
}

/// <summary>The fields a PATCH changes; unset fields keep their stored value.</summary>
public sealed record TenantPatch(
    Optional<string> Name,
    Optional<string?> SystemPrompt,
    Optional<string?> LlmProvider,
    Optional<string?> LlmModel,
    Optional<string> ReplyMode,
    Optional<int> ResumeAfterMinutes,
    Optional<int> DebounceSeconds,
    Optional<int> HistoryMessages,
    Optional<bool> ExternalSendsPause,
    Optional<string?> WorkflowUrl,
    Optional<string?> WorkflowSecret,
    bool WorkflowUrlTrusted = false)
{
    public ConversationSettingsPatch Conversation { get; init; } = ConversationSettingsPatch.None;
    public Optional<string?> LlmApiKey { get; init; }
    public Optional<string?> LlmBaseUrl { get; init; }
    public bool LlmBaseUrlTrusted { get; init; }
    public Optional<string?> NotifyUrl { get; init; }
    public bool NotifyUrlTrusted { get; init; }
    public Optional<long?> MonthlyTokenBudget { get; init; }

    public bool IsEmpty => !(Name.HasValue || SystemPrompt.HasValue || LlmProvider.HasValue || LlmModel.HasValue || ReplyMode.HasValue
                             || ResumeAfterMinutes.HasValue || DebounceSeconds.HasValue || HistoryMessages.HasValue || ExternalSendsPause.HasValue
                             || WorkflowUrl.HasValue || WorkflowSecret.HasValue || !Conversation.IsEmpty
                             || LlmApiKey.HasValue || LlmBaseUrl.HasValue || NotifyUrl.HasValue || MonthlyTokenBudget.HasValue);
}

/// <summary>Limits shared by validators and the schema.</summary>
public static class TenantLimits
{
    public const int NameMax = 200;
    public const int SystemPromptMax = 20_000;
    public const int ModelMax = 200;
    public const int WorkflowUrlMax = 2_000;
    public const int LlmApiKeyMin = 8;
    public const int LlmApiKeyMax = 500;
    public const int WorkflowSecretMin = 16;
    public const int WorkflowSecretMax = 500;
    public const int ResumeAfterMinutesMax = 43_200;
    public const int DebounceSecondsMax = 600;
    public const int HistoryMessagesMax = 200;
    public const int DefaultHistoryMessages = 20;
    public static readonly IReadOnlyList<string> LlmProviders = ["openai", "anthropic", "static"];
}
