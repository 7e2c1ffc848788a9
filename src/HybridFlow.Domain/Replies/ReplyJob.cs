using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Replies;

/// <summary>
/// One reply of one chat, from queued to sent (or not), and the sends made through the API, which share its send
/// protocol: registered before the gateway is called, completed with the provider's id, and resolved by proof when the
/// gateway's answer is lost.
/// Transition policy: a worker's transitions carry the attempt it claimed; when the job is no longer that worker's
/// (another attempt holds it, or it finished meanwhile) they change nothing and answer <see cref="ReplyJobOutcome.Lost"/>.
/// Any other transition that the status does not allow throws <see cref="ReplyJobStateException"/>;
/// repeating a transition into the state the job is already in (cancelling a cancelled job) does nothing.
/// A job sends its <see cref="Parts"/> in order, one at a time, each through the whole protocol (collision re-check,
/// registered, completed or resolved by proof); <see cref="PartIndex"/> is the part in flight or the next one, so a
/// crash or a lost answer neither repeats a part that went out nor skips the one that did not.
/// </summary>
public sealed class ReplyJob
{
    private ReplyJob() { }

    public long Id { get; private set; }
    public long TenantId { get; private set; }
    public long SessionId { get; private set; }
    public ReplyJobKind Kind { get; private set; }
    public ReplyJobStatus Status { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset DueAt { get; private set; }
    public DateTimeOffset? LockedUntil { get; private set; }
    /// <summary>The whole reply, as written.</summary>
    public string? ReplyText { get; private set; }
    private IReadOnlyList<string> _parts = [];
    /// <summary>The messages the reply goes out as, in order (one for an API send or an unsplit reply).</summary>
    public IReadOnlyList<string> Parts => _parts.Count > 0 ? _parts : ReplyText is { } text ? [text] : [];
    /// <summary>The part being sent, or the next one to send; the earlier ones went out.</summary>
    public int PartIndex { get; private set; }
    /// <summary>The text the current send carries: what its echo and Evolution's record are matched by.</summary>
    public string? CurrentPart => PartIndex < Parts.Count ? Parts[PartIndex] : null;
    /// <summary>At least one part went out: the reply is not written again, the rest is sent.</summary>
    public bool HasSentParts => PartIndex > 0;
    /// <summary>WhatsApp's key.id of the current part (the last one once sent): from the send's answer, its echo, or Evolution's record.</summary>
    public string? SentProviderMessageId { get; private set; }
    public long? SentMessageId { get; private set; }
    public string? LastError { get; private set; }
    /// <summary>Set when a send (of the current part) proved absent was made once more; it is never made a third time.</summary>
    public DateTimeOffset? ResentAt { get; private set; }
    /// <summary>When Evolution's record first showed the send absent; a second read-back must agree before anything follows.</summary>
    public DateTimeOffset? AbsenceSeenAt { get; private set; }
    /// <summary>Read-backs of Evolution's record that could not be made (unreachable, an error): after a few, a person looks.</summary>
    public int ReadBackFailures { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public bool IsFinished => ReplyJobStatuses.Finished.Contains(Status);

    /// <summary>
    /// A fixed-text message (the handoff or the away message), queued for a worker to send through the same protocol as
    /// a reply, without a model call.
    /// </summary>
    public static ReplyJob QueueNotice(long tenantId, long sessionId, ReplyJobKind kind, string text, DateTimeOffset now)
    {
        if (!kind.IsNotice()) throw new ReplyJobStateException("Only a notice is queued with its text.");
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("A notice needs a text.", nameof(text));
        return new ReplyJob
        {
            TenantId = tenantId, SessionId = sessionId, Kind = kind, Status = ReplyJobStatus.Pending, DueAt = now,
            ReplyText = text.Trim(), CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>
    /// A send through the API, registered under the chat's lock before the gateway is called so that an early echo
    /// is recognised; in <see cref="ReplyJobStatus.Sending"/> from the start, so no worker claims it.
    /// </summary>
    public static ReplyJob RegisterApiSend(ChatSession session, ReplyJobKind kind, string text, DateTimeOffset now, TimeSpan sendLease)
    {
        if (kind.IsWorkerJob()) throw new ReplyJobStateException("A reply or a notice is queued, not registered as an API send.");
        if (kind == ReplyJobKind.ApiBot && session.IsPaused)
            throw new ReplyJobStateException("The bot never speaks over a person who took the chat.");
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("A send needs a text.", nameof(text));
        return new ReplyJob
        {
            TenantId = session.TenantId, SessionId = session.Id, Kind = kind, Status = ReplyJobStatus.Sending, Attempts = 1,
            DueAt = now, LockedUntil = now + sendLease, ReplyText = text.Trim(), CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>Rebuilds a stored job; only persistence calls this.</summary>
    public static ReplyJob Restore(
        long id, long tenantId, long sessionId, ReplyJobKind kind, ReplyJobStatus status, int attempts, DateTimeOffset dueAt,
        DateTimeOffset? lockedUntil, string? replyText, string? sentProviderMessageId, long? sentMessageId, string? lastError,
        DateTimeOffset? resentAt, DateTimeOffset? absenceSeenAt, DateTimeOffset createdAt, DateTimeOffset updatedAt,
        int readBackFailures = 0, IReadOnlyList<string>? parts = null, int partIndex = 0) => new()
    {
        _parts = parts ?? [], PartIndex = partIndex,
        AbsenceSeenAt = absenceSeenAt, ReadBackFailures = readBackFailures,
        Id = id, TenantId = tenantId, SessionId = sessionId, Kind = kind, Status = status, Attempts = attempts, DueAt = dueAt,
        LockedUntil = lockedUntil, ReplyText = replyText, SentProviderMessageId = sentProviderMessageId, SentMessageId = sentMessageId,
        LastError = lastError, ResentAt = resentAt, CreatedAt = createdAt, UpdatedAt = updatedAt,
    };

    /// <summary>Persistence hands out the id once the row is inserted.</summary>
    public void AssignId(long id)
    {
        if (Id != 0 && Id != id) throw new ReplyJobStateException("A stored job keeps its id.");
        Id = id;
    }

    /// <summary>
    /// A worker may take the job for one attempt: a due job, or one whose worker vanished (its lease over). The worker's
    /// claim statement (ReplyJobStore) binds these sets: it takes the job to processing, one attempt more, with a lease.
    /// </summary>
    public bool IsClaimable(DateTimeOffset now) =>
        (ReplyJobStatuses.Waiting.Contains(Status) && DueAt <= now)
        || (ReplyJobStatuses.ReclaimedAfterLease.Contains(Status) && LockedUntil <= now);

    /// <summary>
    /// The chat has a reply under way: a worker holds it (live lease) or its send waits for proof. No other job of the
    /// chat is claimed meanwhile (one reply at a time per chat).
    /// </summary>
    public bool IsInFlight(DateTimeOffset now) =>
        (ReplyJobStatuses.Leased.Contains(Status) && LockedUntil > now) || ReplyJobStatuses.AwaitingProof.Contains(Status);

    /// <summary>Counted against its tenant's concurrent replies: a reply a worker holds now.</summary>
    public bool TakesTenantSlot(DateTimeOffset now) =>
        IsInFlight(now) && ReplyJobStatuses.Leased.Contains(Status) && ReplyJobKindSets.Written.Contains(Kind);

    /// <summary>The model answered. A job cancelled meanwhile keeps the text for the record.</summary>
    public ReplyJobOutcome Generate(int attempt, string text, DateTimeOffset now) => Generate(attempt, text, null, now);

    /// <summary>The model answered, to go out as <paramref name="parts"/> (null: the whole text as one message).</summary>
    public ReplyJobOutcome Generate(int attempt, string text, IReadOnlyList<string>? parts, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new ArgumentException("A reply needs a text.", nameof(text));
        if (parts is not null && (parts.Count == 0 || parts.Any(string.IsNullOrWhiteSpace)))
            throw new ArgumentException("A reply's parts are texts, at least one.", nameof(parts));
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Cancelled)) return ReplyJobOutcome.Lost;
        if (HasSentParts) throw new ReplyJobStateException("A reply whose first part went out is not written again.");
        ReplyText = text.Trim();
        _parts = parts is null ? [] : [.. parts.Select(p => p.Trim())];
        UpdatedAt = now;
        return ReplyJobOutcome.Generated;
    }

    /// <summary>
    /// The collision check at send time, under the chat's lock: a chat paused while the reply was being written drops
    /// it; otherwise the send is registered (before the gateway is called, so an early echo is matched).
    /// </summary>
    public ReplyJobOutcome BeginSend(ChatSession session, int attempt, DateTimeOffset now, TimeSpan sendLease)
    {
        var collision = CheckCollision(session, attempt, now);
        if (collision is not null) return collision.Value;
        if (ReplyText is null) throw new ReplyJobStateException("Generate the reply before sending it.");
        Status = ReplyJobStatus.Sending;
        LockedUntil = now + sendLease;
        UpdatedAt = now;
        return ReplyJobOutcome.SendBegun;
    }

    /// <summary>The same check for a workflow POST; nothing is registered (a POST may be repeated, a WhatsApp send may not).</summary>
    public ReplyJobOutcome BeginDispatch(ChatSession session, int attempt, DateTimeOffset now) =>
        CheckCollision(session, attempt, now) ?? ReplyJobOutcome.DispatchBegun;

    private ReplyJobOutcome? CheckCollision(ChatSession session, int attempt, DateTimeOffset now)
    {
        if (session.Id != SessionId) throw new ReplyJobStateException("The job belongs to another chat.");
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Cancelled)) return ReplyJobOutcome.Lost;
        if (Status == ReplyJobStatus.Cancelled) return ReplyJobOutcome.Cancelled;
        if (MaySpeakIn(session)) return null;
        Status = ReplyJobStatus.Discarded;
        LockedUntil = null;
        UpdatedAt = now;
        return ReplyJobOutcome.Discarded;
    }

    /// <summary>
    /// Whether this job's message may go out in the chat as it is now: a reply or an away message only in an active
    /// chat; the handoff message only while the chat waits for the person it announces (not once one has written).
    /// </summary>
    public bool MaySpeakIn(ChatSession session) => Kind == ReplyJobKind.HandoffNotice
        ? session.IsPaused && session.PauseReason == PauseReason.HandoffRequested
        : !session.IsPaused;

    /// <summary>
    /// The model asked for a person (request_human) instead of replying: the job ends with nothing sent; the handoff
    /// itself is the session's (<see cref="ChatSession.RequestHandoff"/>).
    /// </summary>
    public ReplyJobOutcome HandOff(int attempt, DateTimeOffset now, string why = "the model asked for a person")
    {
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Cancelled)) return ReplyJobOutcome.Lost;
        if (Status == ReplyJobStatus.Cancelled) return ReplyJobOutcome.Cancelled;
        LastError = why;
        Finish(ReplyJobStatus.Cancelled, now);
        return ReplyJobOutcome.HandedOff;
    }

    /// <summary>
    /// WhatsApp's 24-hour customer service window of the chat is closed (a Cloud API chat): no free-form message may go
    /// out, so the job ends with nothing sent. Only a template reaches the customer now, and only a person sends one.
    /// </summary>
    public ReplyJobOutcome EndOutsideServiceWindow(int attempt, DateTimeOffset now)
    {
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Cancelled)) return ReplyJobOutcome.Lost;
        if (Status == ReplyJobStatus.Cancelled) return ReplyJobOutcome.Cancelled;
        LastError = "outside WhatsApp's 24-hour service window";
        Finish(ReplyJobStatus.Cancelled, now);
        return ReplyJobOutcome.OutsideServiceWindow;
    }

    /// <summary>The workflow took the event. A job cancelled during the POST counts too: the workflow has the event all the same.</summary>
    public ReplyJobOutcome CompleteDispatch(int attempt, DateTimeOffset now)
    {
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Cancelled)) return ReplyJobOutcome.Lost;
        Finish(ReplyJobStatus.Sent, now);
        LastError = null;
        return ReplyJobOutcome.Sent;
    }

    /// <summary>The gateway answered with its id (or a resolver proved it): the message is the one recorded as <paramref name="messageId"/>.</summary>
    public ReplyJobOutcome CompleteSend(string providerMessageId, long messageId, DateTimeOffset now) =>
        CompleteSend(PartIndex, providerMessageId, messageId, now, TimeSpan.Zero);

    /// <summary>
    /// Part <paramref name="part"/> went out as <paramref name="providerMessageId"/>. The last part finishes the job
    /// (<see cref="ReplyJobOutcome.Sent"/>); an earlier one moves the job to the next part, processing and held for
    /// <paramref name="nextPartLease"/> by the worker that sends it (zero: free for the next worker's claim), and answers
    /// <see cref="ReplyJobOutcome.PartSent"/>. A part already completed (its echo or a resolver came first) changes nothing.
    /// </summary>
    public ReplyJobOutcome CompleteSend(int part, string providerMessageId, long messageId, DateTimeOffset now, TimeSpan nextPartLease)
    {
        if (part < PartIndex || (Status == ReplyJobStatus.Sent && SentProviderMessageId == providerMessageId)) return ReplyJobOutcome.Lost;
        if (Status is not (ReplyJobStatus.Sending or ReplyJobStatus.Unconfirmed or ReplyJobStatus.NeedsAttention))
            throw new ReplyJobStateException($"A {Status.ToName()} job was not being sent.");
        if (part > PartIndex) throw new ReplyJobStateException($"Part {part + 1} was never begun; part {PartIndex + 1} is in flight.");
        SentProviderMessageId = providerMessageId;
        SentMessageId = messageId;
        if (PartIndex + 1 >= Parts.Count)
        {
            Finish(ReplyJobStatus.Sent, now);
            return ReplyJobOutcome.Sent;
        }
        PartIndex++;
        // What proves or repeats a send is about one part: the next one starts clean.
        SentProviderMessageId = null;
        ResentAt = null;
        AbsenceSeenAt = null;
        ReadBackFailures = 0;
        Status = ReplyJobStatus.Processing;
        LockedUntil = now + nextPartLease;
        UpdatedAt = now;
        return ReplyJobOutcome.PartSent;
    }

    /// <summary>The gateway's answer was lost (timeout, connection dropped after the request): wait for the echo until <paramref name="echoWait"/> has passed.</summary>
    public ReplyJobOutcome MarkOutcomeUnknown(string error, DateTimeOffset now, TimeSpan echoWait)
    {
        if (Status != ReplyJobStatus.Sending) return ReplyJobOutcome.Lost;
        Status = ReplyJobStatus.Unconfirmed;
        LastError = error;
        LockedUntil = now + echoWait;
        UpdatedAt = now;
        return ReplyJobOutcome.OutcomeUnknown;
    }

    /// <summary>
    /// A send needs proof: its sender vanished mid-call (lease over), its echo window is over, or a late echo came for a
    /// send a person was asked to look at.
    /// </summary>
    /// <remarks>The resolver's claim statement (SendLedger) binds these sets: it takes the job to unconfirmed, with a lease.</remarks>
    public bool IsDueForResolution(DateTimeOffset now) =>
        (ReplyJobStatuses.ResolvedAfterLease.Contains(Status) && LockedUntil <= now)
        || (ReplyJobStatuses.ResolvedByEcho.Contains(Status) && SentProviderMessageId is not null);

    /// <summary>Fences a resolution: true while the claim that set <paramref name="claimedUntil"/> still holds the job.</summary>
    public bool IsResolutionHeldUntil(DateTimeOffset claimedUntil) =>
        Status == ReplyJobStatus.Unconfirmed && LockedUntil is { } until && until.UtcTicks == claimedUntil.UtcTicks;

    /// <summary>
    /// The echo or Evolution's record proved the current part went out. The last part finishes the job; an earlier one
    /// leaves the rest to the next worker's claim (<see cref="ReplyJobOutcome.PartSent"/>), with its collision re-check.
    /// </summary>
    public ReplyJobOutcome Confirm(string providerMessageId, long messageId, DateTimeOffset now)
    {
        if (Status is not (ReplyJobStatus.Unconfirmed or ReplyJobStatus.NeedsAttention))
            throw new ReplyJobStateException($"A {Status.ToName()} job has nothing to confirm.");
        var outcome = CompleteSend(PartIndex, providerMessageId, messageId, now, TimeSpan.Zero);
        return outcome == ReplyJobOutcome.Sent ? ReplyJobOutcome.Confirmed : outcome;
    }

    /// <summary>
    /// Evolution's record shows the message absent. The first time, it is looked at again after <paramref name="recheckAfter"/>:
    /// a slow Evolution may still be sending it. Absent twice, it never went out: a reply is sent once more (status sending
    /// again), unless a person took the chat meanwhile (discarded); an API send is not (a person or a workflow called the
    /// API and was told it failed), nor a reply already sent twice.
    /// </summary>
    public ReplyJobOutcome ProvedAbsent(ChatSession session, DateTimeOffset now, TimeSpan sendLease, TimeSpan recheckAfter)
    {
        if (Status != ReplyJobStatus.Unconfirmed) throw new ReplyJobStateException($"A {Status.ToName()} job is not awaiting proof.");
        if (session.Id != SessionId) throw new ReplyJobStateException("The job belongs to another chat.");
        if (AbsenceSeenAt is null)
        {
            AbsenceSeenAt = now;
            LockedUntil = now + recheckAfter;
            UpdatedAt = now;
            return ReplyJobOutcome.AbsenceSeen;
        }
        if (Kind.IsWorkerJob() && ResentAt is null && !MaySpeakIn(session))
        {
            Finish(ReplyJobStatus.Discarded, now);
            return ReplyJobOutcome.Discarded;
        }
        if (!Kind.IsWorkerJob() || ResentAt is not null)
        {
            LastError = Kind.IsWorkerJob()
                ? "proved not delivered after it was sent once more; not sent a third time"
                : "proved not sent; an API send is not repeated on its own";
            Finish(ReplyJobStatus.Dead, now);
            return ReplyJobOutcome.Dead;
        }
        Status = ReplyJobStatus.Sending;
        ResentAt = now;
        AbsenceSeenAt = null;
        LockedUntil = now + sendLease;
        UpdatedAt = now;
        return ReplyJobOutcome.Resent;
    }

    /// <summary>
    /// Evolution's record could not be read (unreachable, an error): looked at again after <paramref name="recheckAfter"/>,
    /// and after <paramref name="maxFailures"/> such read-backs the send is listed for a person.
    /// </summary>
    public ReplyJobOutcome ReadBackFailed(DateTimeOffset now, TimeSpan recheckAfter, int maxFailures)
    {
        if (Status != ReplyJobStatus.Unconfirmed) throw new ReplyJobStateException($"A {Status.ToName()} job is not awaiting proof.");
        ReadBackFailures++;
        if (ReadBackFailures >= maxFailures) return RequireAttention(now);
        LockedUntil = now + recheckAfter;
        UpdatedAt = now;
        return ReplyJobOutcome.ReadBackRetry;
    }

    /// <summary>
    /// The proof may still come (Meta's statuses lag behind the send): asked again at <paramref name="askAgainAt"/>, and not
    /// counted as a failed read-back.
    /// </summary>
    public ReplyJobOutcome AwaitProof(DateTimeOffset askAgainAt, DateTimeOffset now)
    {
        if (Status != ReplyJobStatus.Unconfirmed) throw new ReplyJobStateException($"A {Status.ToName()} job is not awaiting proof.");
        LockedUntil = askAgainAt;
        UpdatedAt = now;
        return ReplyJobOutcome.ReadBackRetry;
    }

    /// <summary>Neither the echo nor Evolution's record can tell: listed for a person; a late echo still confirms it.</summary>
    public ReplyJobOutcome RequireAttention(DateTimeOffset now)
    {
        if (Status == ReplyJobStatus.NeedsAttention) return ReplyJobOutcome.NeedsAttention;
        if (Status != ReplyJobStatus.Unconfirmed) throw new ReplyJobStateException($"A {Status.ToName()} job is not awaiting proof.");
        Status = ReplyJobStatus.NeedsAttention;
        LockedUntil = null;
        UpdatedAt = now;
        return ReplyJobOutcome.NeedsAttention;
    }

    /// <summary>A person dealt with the chat (paused, resumed or wrote in it): the unknown send is closed, never resent.</summary>
    public ReplyJobOutcome Acknowledge(string reason, DateTimeOffset now)
    {
        if (Status != ReplyJobStatus.NeedsAttention) throw new ReplyJobStateException($"A {Status.ToName()} job needs no attention.");
        LastError = $"outcome unknown; {reason}";
        Finish(ReplyJobStatus.Dead, now);
        return ReplyJobOutcome.Acknowledged;
    }

    /// <summary>
    /// An attempt failed. The job is tried again after the policy's delay, or is dead when the failure is permanent, the
    /// attempts are used up, or it is an API send (its caller was told).
    /// </summary>
    public ReplyJobOutcome Fail(int attempt, string error, bool permanent, ReplyRetryPolicy policy, DateTimeOffset now)
    {
        if (attempt != Attempts || Status is not (ReplyJobStatus.Processing or ReplyJobStatus.Sending)) return ReplyJobOutcome.Lost;
        LastError = error;
        if (permanent || !Kind.IsWorkerJob() || Attempts >= policy.MaxAttempts)
        {
            Finish(ReplyJobStatus.Dead, now);
            return ReplyJobOutcome.Dead;
        }
        Status = ReplyJobStatus.Retrying;
        DueAt = now + policy.DelayAfter(Attempts);
        LockedUntil = null;
        UpdatedAt = now;
        return ReplyJobOutcome.Retry;
    }

    /// <summary>The provider said 429 or overloaded: due again at <paramref name="until"/>, and the attempt does not count.</summary>
    public ReplyJobOutcome Postpone(int attempt, DateTimeOffset until, DateTimeOffset now)
    {
        if (attempt != Attempts || Status != ReplyJobStatus.Processing) return ReplyJobOutcome.Lost;
        return GiveBackUntil(until, now);
    }

    /// <summary>
    /// The channel asked us to slow down and sent nothing (Meta's 130429 and 131056): a worker's send is given back, due
    /// again at <paramref name="until"/>, and the attempt does not count. Its parts sent so far stay sent. An API send is
    /// its caller's to retry (<see cref="ReplyJobOutcome.Lost"/> here).
    /// </summary>
    public ReplyJobOutcome Throttle(int attempt, DateTimeOffset until, DateTimeOffset now)
    {
        if (attempt != Attempts || Status != ReplyJobStatus.Sending || !Kind.IsWorkerJob()) return ReplyJobOutcome.Lost;
        return GiveBackUntil(until, now);
    }

    /// <summary>Due again at <paramref name="until"/>, for any worker; the attempt it was on does not count.</summary>
    private ReplyJobOutcome GiveBackUntil(DateTimeOffset until, DateTimeOffset now)
    {
        Status = ReplyJobStatus.Retrying;
        Attempts--;
        DueAt = until;
        LockedUntil = null;
        UpdatedAt = now;
        return ReplyJobOutcome.Postponed;
    }

    /// <summary>A person took the chat over before the reply went out.</summary>
    public ReplyJobOutcome Cancel(string reason, DateTimeOffset now)
    {
        if (Status == ReplyJobStatus.Cancelled) return ReplyJobOutcome.Cancelled;
        if (!ReplyJobStatuses.Unsent.Contains(Status))
            throw new ReplyJobStateException($"A {Status.ToName()} job can no longer be cancelled.");
        LastError = reason;
        Finish(ReplyJobStatus.Cancelled, now);
        return ReplyJobOutcome.Cancelled;
    }

    private void Finish(ReplyJobStatus status, DateTimeOffset now)
    {
        Status = status;
        LockedUntil = null;
        UpdatedAt = now;
    }
}
