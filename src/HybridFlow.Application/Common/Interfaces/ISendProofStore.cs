namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// The proof that a Cloud API send went out: Meta cannot be read back, so a status (sent or later) carrying our
/// <c>biz_opaque_callback_data</c> is kept here and looked up when the send's answer was lost (ADR-015).
/// </summary>
public interface ISendProofStore
{
    /// <summary>Keeps the proof; idempotent: a repeated or later status for the same callback data changes nothing.</summary>
    Task RecordAsync(long instanceId, string callbackData, string providerMessageId, string status, DateTimeOffset at, CancellationToken ct);

    Task<SendProof?> FindAsync(long instanceId, string callbackData, CancellationToken ct);
}
