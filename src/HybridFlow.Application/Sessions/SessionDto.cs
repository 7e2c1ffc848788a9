using HybridFlow.Domain.Sessions;

namespace HybridFlow.Application.Sessions;

/// <summary>
/// A chat session as the admin API shows it. <see cref="NeedsAttention"/>: a send of this chat could not be proved sent or
/// not (ai_outcome_unknown), a customer message came too late to be answered (ignored_stale), or the model account was
/// out of credit; pausing, resuming or sending in the chat clears it.
/// </summary>
public sealed record SessionDto(
    long Id,
    long TenantId,
    string InstanceName,
    string ChatId,
    bool IsPaused,
    string? PauseReason,
    DateTimeOffset? PausedUntil,
    DateTimeOffset? LastMessageAt,
    DateTimeOffset? LastHumanAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool NeedsAttention = false);

public enum SessionFilter
{
    All,
    Active,
    Paused,
    /// <summary>Chats with a send nothing could prove went out or not (a person should look); pausing, resuming or sending in the chat clears it.</summary>
    NeedsAttention,
}

public static class SessionStates
{
    public const string Active = "active";
    public const string Paused = "paused";
    public const string NeedsAttention = "needs_attention";
    public static readonly IReadOnlyList<string> All = [Active, Paused, NeedsAttention];
}
