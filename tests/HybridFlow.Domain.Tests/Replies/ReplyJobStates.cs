using HybridFlow.Domain.Replies;

namespace HybridFlow.Domain.Tests.Replies;

/// <summary>
/// The states the bulk statements leave a job in, for the transitions that follow them: production queues, claims
/// and claims for resolution in SQL (ReplyJobCommands, ReplyJobStore, SendLedger), and ReplyJobStatementEquivalenceTests
/// checks those statements against <see cref="ReplyJob.IsClaimable"/> and <see cref="ReplyJob.IsDueForResolution"/>.
/// </summary>
internal static class ReplyJobStates
{
    /// <summary>A reply queued by a customer's message (the enqueue statement): pending, no attempt yet.</summary>
    public static ReplyJob Queue(long tenantId, long sessionId, DateTimeOffset dueAt, DateTimeOffset now) =>
        ReplyJob.Restore(0, tenantId, sessionId, ReplyJobKind.Reply, ReplyJobStatus.Pending, 0, dueAt, null, null, null, null, null, null, null, now, now);

    /// <summary>The worker's claim: processing, one attempt more, held for <paramref name="lease"/>.</summary>
    public static ReplyJob Claim(ReplyJob job, DateTimeOffset now, TimeSpan lease)
    {
        if (!job.IsClaimable(now)) throw new ReplyJobStateException($"A {job.Status.ToName()} job is not due for a claim.");
        return With(job, ReplyJobStatus.Processing, job.Attempts + 1, now + lease, now);
    }

    /// <summary>The resolver's claim: unconfirmed, held for <paramref name="lease"/>.</summary>
    public static ReplyJob ClaimForResolution(ReplyJob job, DateTimeOffset now, TimeSpan lease)
    {
        if (!job.IsDueForResolution(now)) throw new ReplyJobStateException($"A {job.Status.ToName()} job is not due for resolution.");
        return With(job, ReplyJobStatus.Unconfirmed, job.Attempts, now + lease, now);
    }

    private static ReplyJob With(ReplyJob j, ReplyJobStatus status, int attempts, DateTimeOffset lockedUntil, DateTimeOffset now) => ReplyJob.Restore(
        j.Id, j.TenantId, j.SessionId, j.Kind, status, attempts, j.DueAt, lockedUntil, j.ReplyText, j.SentProviderMessageId, j.SentMessageId,
        j.LastError, j.ResentAt, j.AbsenceSeenAt, j.CreatedAt, now, j.ReadBackFailures, j.Parts.Count > 1 ? j.Parts : null, j.PartIndex);
}
