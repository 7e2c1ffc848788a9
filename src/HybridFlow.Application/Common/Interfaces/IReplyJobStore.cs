namespace HybridFlow.Application.Common.Interfaces;

public interface IReplyJobStore
{
    /// <summary>
    /// Claims up to <paramref name="limit"/> due jobs (or jobs whose worker vanished) with SKIP LOCKED, interleaving tenants
    /// by due time. Never takes a job of a chat that has a job in flight, nor more than <paramref name="perTenantLimit"/>
    /// jobs in flight for one tenant, counted across every replica.
    /// </summary>
    Task<IReadOnlyList<ClaimedReplyJob>> ClaimDueBatchAsync(DateTimeOffset now, TimeSpan lease, int limit, int perTenantLimit, CancellationToken ct);

    /// <summary>The heartbeat: extends the leases of the jobs this process still holds (at their attempt); answers how many were renewed.</summary>
    Task<int> RenewLeasesAsync(IReadOnlyCollection<ClaimedReplyJob> jobs, DateTimeOffset now, TimeSpan lease, CancellationToken ct);

    Task<ReplyContext?> LoadContextAsync(ClaimedReplyJob job, CancellationToken ct);

    /// <summary>The delivery id, the tenant's workflow settings, the job's messages and the chat's history before them.</summary>
    Task<WorkflowJob?> LoadWorkflowJobAsync(ClaimedReplyJob job, CancellationToken ct);

    /// <summary>Deletes finished jobs older than the cutoff.</summary>
    Task<int> PurgeFinishedAsync(DateTimeOffset olderThan, CancellationToken ct);

    /// <summary>
    /// Takes the sends due for proof (<see cref="HybridFlow.Domain.Replies.ReplyJob.IsDueForResolution"/>) with SKIP LOCKED,
    /// for <paramref name="lease"/>; each is then resolved in its chat's unit of work (<see cref="IChatUnitOfWork.RunOnSendAsync"/>).
    /// </summary>
    Task<IReadOnlyList<UnresolvedSend>> ClaimUnresolvedSendsAsync(DateTimeOffset now, TimeSpan lease, int limit, CancellationToken ct);
}
