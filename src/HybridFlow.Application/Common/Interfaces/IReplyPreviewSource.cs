namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// What a preview reply (try the bot) needs of its tenant: a <see cref="ReplyContext"/> with the tenant's policy, prompt,
/// model, budget and this month's tokens, as a reply job's would have, but no chat, no instance and no history.
/// </summary>
public interface IReplyPreviewSource
{
    /// <summary>Null when the tenant does not exist.</summary>
    Task<ReplyContext?> LoadAsync(long tenantId, CancellationToken ct);
}

/// <summary>Previews per tenant (RATE_LIMIT_PREVIEW_REPLY_PER_MINUTE, in process): each one calls the model.</summary>
public interface IPreviewReplyThrottle
{
    /// <summary>Spends one preview of the tenant; how long to wait when none is left, else null.</summary>
    TimeSpan? Spend(long tenantId);
}
