namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// Records what each model call cost, as the provider reported it: on its reply job (summed over attempts) and in the
/// per-call ledger the stats read, and on the token metric. Called right after the call answers, in its own statement,
/// so the cost is kept whatever the job does next (a collision, a lost lease, a failure). A call that threw is not recorded:
/// its cost is unknown. Transcription and vision calls use the same method with their purpose.
/// </summary>
public interface ILlmUsageLedger
{
    Task RecordAsync(LlmCall call, TokenUsage usage, CancellationToken ct);

    /// <summary>
    /// Input plus output tokens the tenant spent on the platform's account in the UTC month starting at
    /// <paramref name="monthStart"/>: one primary-key read, cheap enough for every reply.
    /// </summary>
    Task<long> PlatformTokensAsync(long tenantId, DateTimeOffset monthStart, CancellationToken ct);
}
