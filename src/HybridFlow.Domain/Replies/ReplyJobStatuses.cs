using static HybridFlow.Domain.Replies.ReplyJobStatus;

namespace HybridFlow.Domain.Replies;

/// <summary>
/// The status sets <see cref="ReplyJob"/>'s rules are made of, each defined once. The Domain's transitions use them,
/// and the bulk statements on reply_jobs (claims, sweeps, the cancel of unsent replies, the queue's gauges) bind them,
/// so SQL carries out the Domain's rule instead of repeating it.
/// </summary>
public static class ReplyJobStatuses
{
    /// <summary>Queued, waiting for its due time: a worker claims it once due (<see cref="ReplyJob.IsClaimable"/>).</summary>
    public static IReadOnlySet<ReplyJobStatus> Waiting { get; } = Set(Pending, Retrying);

    /// <summary>A reply still waiting for its first due time: a new message of its chat pushes it back and joins it (debounce).</summary>
    public static IReadOnlySet<ReplyJobStatus> AbsorbsNewMessages { get; } = Set(Pending);

    /// <summary>Held by a worker's lease: asking the model or the workflow, or the gateway.</summary>
    public static IReadOnlySet<ReplyJobStatus> Leased { get; } = Set(Processing, Sending);

    /// <summary>Claimed again by a worker once its lease ran out: its worker vanished before a send began.</summary>
    public static IReadOnlySet<ReplyJobStatus> ReclaimedAfterLease { get; } = Set(Processing);

    /// <summary>Nothing of it was handed to the gateway yet: a person taking the chat cancels it (<see cref="ReplyJob.Cancel"/>).</summary>
    public static IReadOnlySet<ReplyJobStatus> Unsent { get; } = Set(Pending, Retrying, Processing);

    /// <summary>A send whose outcome is not known yet: its echo proves it went out.</summary>
    public static IReadOnlySet<ReplyJobStatus> AwaitingEcho { get; } = Set(Sending, Unconfirmed, NeedsAttention);

    /// <summary>Waiting for proof without a worker: its chat's next reply waits, but it takes no worker's slot.</summary>
    public static IReadOnlySet<ReplyJobStatus> AwaitingProof { get; } = Set(Unconfirmed);

    /// <summary>Due for resolution once its lease (the sender's, or the echo window) is over.</summary>
    public static IReadOnlySet<ReplyJobStatus> ResolvedAfterLease { get; } = Set(Sending, Unconfirmed);

    /// <summary>Due for resolution as soon as an echo brought its provider id.</summary>
    public static IReadOnlySet<ReplyJobStatus> ResolvedByEcho { get; } = Set(Unconfirmed, NeedsAttention);

    /// <summary>Nothing could prove whether it went out: a person has to look, and its chat is listed as needing attention.</summary>
    public static IReadOnlySet<ReplyJobStatus> NeedingAttention { get; } = Set(NeedsAttention);

    /// <summary>Done for good; purged after a while.</summary>
    public static IReadOnlySet<ReplyJobStatus> Finished { get; } = Set(Sent, Dead, Cancelled, Discarded);

    private static IReadOnlySet<ReplyJobStatus> Set(params ReplyJobStatus[] statuses) => new HashSet<ReplyJobStatus>(statuses);
}

/// <summary>The kind sets of the lifecycle's rules, each defined once (see <see cref="ReplyJobStatuses"/>).</summary>
public static class ReplyJobKindSets
{
    /// <summary>Claimed and sent by a worker; an API send is made by its caller.</summary>
    public static IReadOnlySet<ReplyJobKind> WorkerJobs { get; } =
        new HashSet<ReplyJobKind> { ReplyJobKind.Reply, ReplyJobKind.HandoffNotice, ReplyJobKind.AwayNotice };

    /// <summary>What a request for a person silences: the replies and the away message; the handoff message announces the person.</summary>
    public static IReadOnlySet<ReplyJobKind> SilencedByHandoff { get; } = new HashSet<ReplyJobKind> { ReplyJobKind.Reply, ReplyJobKind.AwayNotice };

    /// <summary>
    /// Written by the model or the workflow: a chat's waiting one absorbs its new messages (debounce), and the ones a
    /// worker holds count against their tenant's concurrent replies.
    /// </summary>
    public static IReadOnlySet<ReplyJobKind> Written { get; } = new HashSet<ReplyJobKind> { ReplyJobKind.Reply };
}
