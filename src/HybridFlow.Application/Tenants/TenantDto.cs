using HybridFlow.Application.Common.Models;

namespace HybridFlow.Application.Tenants;

/// <summary>A tenant as the API shows it; <see cref="WorkflowSecret"/> is never shown in full.</summary>
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
    DateTimeOffset UpdatedAt);

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
    bool WorkflowUrlTrusted = false);

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
    public bool IsEmpty => !(Name.HasValue || SystemPrompt.HasValue || LlmProvider.HasValue || LlmModel.HasValue || ReplyMode.HasValue
                             || ResumeAfterMinutes.HasValue || DebounceSeconds.HasValue || HistoryMessages.HasValue || ExternalSendsPause.HasValue
                             || WorkflowUrl.HasValue || WorkflowSecret.HasValue);
}

public interface ITenantStore
{
    Task<TenantDto> CreateAsync(NewTenant tenant, DateTimeOffset now, CancellationToken ct);
    Task<TenantDto?> FindAsync(long id, CancellationToken ct);
    /// <summary>A page of tenants, all of them or (<paramref name="onlyTenant"/>) just one.</summary>
    Task<(IReadOnlyList<TenantDto> Items, long Total)> ListAsync(long? onlyTenant, int page, int pageSize, CancellationToken ct);
    /// <summary>Applies the set fields; null when there is no such tenant.</summary>
    Task<TenantDto?> UpdateAsync(long id, TenantPatch patch, DateTimeOffset now, CancellationToken ct);
    /// <summary>Deletes the tenant and, through the schema's ON DELETE CASCADE, everything it owns; false when there was none.</summary>
    Task<bool> DeleteAsync(long id, CancellationToken ct);
}

/// <summary>Limits shared by validators and the schema.</summary>
public static class TenantLimits
{
    public const int NameMax = 200;
    public const int SystemPromptMax = 20_000;
    public const int ModelMax = 200;
    public const int WorkflowUrlMax = 2_000;
    public const int WorkflowSecretMin = 16;
    public const int WorkflowSecretMax = 500;
    public const int ResumeAfterMinutesMax = 43_200;
    public const int DebounceSecondsMax = 600;
    public const int HistoryMessagesMax = 200;
    public const int DefaultHistoryMessages = 20;
    public static readonly IReadOnlyList<string> LlmProviders = ["openai", "anthropic", "static"];
}
