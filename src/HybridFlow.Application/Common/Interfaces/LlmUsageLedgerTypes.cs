namespace HybridFlow.Application.Common.Interfaces;

/// <summary>What a model call was for; the usage ledger keeps them apart for billing.</summary>
public enum LlmCallPurpose
{
    Reply,
    /// <summary>A voice note's transcription (no reply job of its own, or the job whose trigger it was).</summary>
    Transcription,
    Vision,
}

/// <summary>
/// One model call as the caller asked for it: <see cref="Provider"/> and <see cref="Model"/> null mean the global
/// defaults (the ledger resolves them, as the router does). <see cref="ReplyJobId"/> set: its job's totals grow too.
/// </summary>
public sealed record LlmCall(long TenantId, long? ReplyJobId, LlmCallPurpose Purpose, string? Provider, string? Model)
{
    /// <summary>The platform's key paid (the tenant has no llm_api_key or llm_base_url of its own): it counts against the monthly budget.</summary>
    public bool PlatformAccount { get; init; } = true;

    public static LlmCall ForReply(ReplyContext context, ReplyPrompt prompt) =>
        new(context.Instance.Tenant.TenantId, context.JobId, LlmCallPurpose.Reply, prompt.Provider, prompt.Model)
        {
            PlatformAccount = prompt.Credentials is null or { IsEmpty: true },
        };
}
