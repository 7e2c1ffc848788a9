namespace HybridFlow.Domain.Sessions;

/// <summary>
/// One WhatsApp chat of one instance and whether the bot may speak in it.
/// Transition policy: every event is legal in every state; an event that does not apply
/// (resuming an active chat, an echo) changes nothing and says so with <see cref="SessionOutcome.Unchanged"/>.
/// </summary>
public sealed class ChatSession
{
    private ChatSession() { }

    public long Id { get; private set; }
    public long TenantId { get; private set; }
    public long InstanceId { get; private set; }
    public string ChatId { get; private set; } = "";
    public bool IsPaused { get; private set; }
    public PauseReason? PauseReason { get; private set; }
    public DateTimeOffset? PausedUntil { get; private set; }
    public DateTimeOffset? LastMessageAt { get; private set; }
    public DateTimeOffset? LastHumanAt { get; private set; }
    public DateTimeOffset? ResumedAt { get; private set; }
    /// <summary>When the away message last went to this chat: it goes once per closed period.</summary>
    public DateTimeOffset? AwayMessageSentAt { get; private set; }
    /// <summary>
    /// "Needs a person": something the bot did not answer (an old message, a model account out of credit) waits for one.
    /// A flag, not a pause: the bot still answers fresh messages. A person writing, pausing or resuming clears it.
    /// </summary>
    public bool NeedsAttention { get; private set; }
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }

    public static ChatSession Start(long tenantId, long instanceId, string chatId, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(chatId)) throw new ArgumentException("A chat id is required.", nameof(chatId));
        return new ChatSession
        {
            TenantId = tenantId, InstanceId = instanceId, ChatId = chatId, CreatedAt = now, UpdatedAt = now,
        };
    }

    /// <summary>Rebuilds a stored session; only persistence calls this.</summary>
    public static ChatSession Restore(
        long id, long tenantId, long instanceId, string chatId, bool isPaused, PauseReason? pauseReason,
        DateTimeOffset? pausedUntil, DateTimeOffset? lastMessageAt, DateTimeOffset? lastHumanAt,
        DateTimeOffset? resumedAt, DateTimeOffset createdAt, DateTimeOffset updatedAt, DateTimeOffset? awayMessageSentAt = null,
        bool needsAttention = false) => new()
    {
        AwayMessageSentAt = awayMessageSentAt,
        NeedsAttention = needsAttention,
        Id = id, TenantId = tenantId, InstanceId = instanceId, ChatId = chatId, IsPaused = isPaused,
        PauseReason = pauseReason, PausedUntil = pausedUntil, LastMessageAt = lastMessageAt,
        LastHumanAt = lastHumanAt, ResumedAt = resumedAt, CreatedAt = createdAt, UpdatedAt = updatedAt,
    };

    /// <summary>
    /// A customer's message. One older than <paramref name="staleAfter"/> when it arrives (a redelivery after an outage) is
    /// not answered: the chat is flagged for a person instead (<see cref="SessionOutcome.IgnoredStale"/>).
    /// </summary>
    public SessionOutcome ReceiveCustomerMessage(DateTimeOffset sentAt, DateTimeOffset now, TimeSpan quietPeriod, TimeSpan? staleAfter = null)
    {
        if (IsStale(sentAt, now, staleAfter)) return ReceiveStale(sentAt, now);
        Touch(sentAt, now);
        if (!IsPaused) return SessionOutcome.Reply;
        if (PauseReason is Sessions.PauseReason.HumanTakeover or Sessions.PauseReason.HandoffRequested && PauseOver(now, quietPeriod))
        {
            Activate(now);
            return SessionOutcome.AutoResumedAndReply;
        }
        // A handoff still waiting for its person: no reply, and no second handoff message.
        return SessionOutcome.IgnoredPaused;
    }

    /// <summary>
    /// The customer asked for a person (a handoff keyword). An active chat, or one whose pause has run out, is paused
    /// for a person until the quiet period passes; a chat already paused stays as it is (a pending handoff is not
    /// requested twice, and a person's or a manual pause stays silent).
    /// </summary>
    public SessionOutcome ReceiveHandoffRequest(DateTimeOffset sentAt, DateTimeOffset now, TimeSpan quietPeriod, TimeSpan? staleAfter = null)
    {
        // An old request for a person is not acted on by the bot either: the flag already asks for one.
        if (IsStale(sentAt, now, staleAfter)) return ReceiveStale(sentAt, now);
        Touch(sentAt, now);
        if (IsPaused && PauseOver(now, quietPeriod)) Activate(now);
        if (!IsPaused) return RequestHandoff(now, quietPeriod);
        return PauseReason == Sessions.PauseReason.HandoffRequested ? SessionOutcome.HandoffPending : SessionOutcome.IgnoredPaused;
    }

    /// <summary>
    /// The model asked for a person (request_human) while writing a reply. Only an active chat is paused for it:
    /// a chat a person took meanwhile, or one already waiting for a person, stays as it is.
    /// </summary>
    public SessionOutcome RequestHandoff(DateTimeOffset now, TimeSpan quietPeriod)
    {
        if (IsPaused) return PauseReason == Sessions.PauseReason.HandoffRequested ? SessionOutcome.HandoffPending : SessionOutcome.Unchanged;
        IsPaused = true;
        PauseReason = Sessions.PauseReason.HandoffRequested;
        PausedUntil = now + quietPeriod;
        UpdatedAt = now;
        return SessionOutcome.HandoffRequested;
    }

    /// <summary>
    /// A customer message outside business hours with the away message on: due once per closed period, so only when
    /// none went out since <paramref name="closedSince"/> (the start of the current closed period).
    /// </summary>
    public SessionOutcome ReceiveOutsideHours(DateTimeOffset closedSince, DateTimeOffset now)
    {
        if (AwayMessageSentAt is { } sent && sent >= closedSince) return SessionOutcome.IgnoredOutsideHours;
        AwayMessageSentAt = now;
        UpdatedAt = now;
        return SessionOutcome.AwayMessageDue;
    }

    /// <summary>The owner (or another client of the instance) wrote by hand: the bot must go silent.</summary>
    public SessionOutcome ReceiveOwnerMessage(DateTimeOffset sentAt, DateTimeOffset now, TimeSpan quietPeriod)
    {
        Touch(sentAt, now);
        if (sentAt + quietPeriod <= now)
        {
            // An offline backlog or a late redelivery: the owner is not here now.
            return SessionOutcome.StaleOwnerMessage;
        }

        if (LastHumanAt is null || sentAt > LastHumanAt) LastHumanAt = sentAt;
        NeedsAttention = false;
        if (IsPaused)
        {
            if (PauseReason == Sessions.PauseReason.HandoffRequested)
            {
                // The person the customer asked for is here: an ordinary takeover from now on.
                PauseReason = Sessions.PauseReason.HumanTakeover;
                PausedUntil = LastHumanAt + quietPeriod;
                return SessionOutcome.HandoffTakenOver;
            }
            if (PauseReason == Sessions.PauseReason.HumanTakeover) PausedUntil = LastHumanAt + quietPeriod;
            return SessionOutcome.StayedPaused;
        }

        IsPaused = true;
        PauseReason = Sessions.PauseReason.HumanTakeover;
        PausedUntil = LastHumanAt + quietPeriod;
        return SessionOutcome.Paused;
    }

    /// <summary>HybridFlow's own message coming back through the webhook.</summary>
    public SessionOutcome ReceiveEcho(DateTimeOffset sentAt, DateTimeOffset now)
    {
        Touch(sentAt, now);
        return SessionOutcome.Unchanged;
    }

    /// <summary>A message that is kept but answers nothing (media without text, another client's send when those do not pause).</summary>
    public SessionOutcome ReceiveUnansweredMessage(DateTimeOffset sentAt, DateTimeOffset now)
    {
        Touch(sentAt, now);
        return SessionOutcome.Unchanged;
    }

    /// <summary>Pause from the API: for a while, or (no duration) until someone resumes it.</summary>
    public SessionOutcome PauseManually(DateTimeOffset now, TimeSpan? duration)
    {
        if (duration is { } d && d <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(duration), "A pause lasts a positive time.");
        IsPaused = true;
        PauseReason = Sessions.PauseReason.Manual;
        PausedUntil = duration is null ? null : now + duration;
        NeedsAttention = false;
        UpdatedAt = now;
        return SessionOutcome.PausedManually;
    }

    /// <summary>A person resumed the chat: they have seen it, so it no longer needs one either.</summary>
    public SessionOutcome Resume(DateTimeOffset now)
    {
        var attended = AcknowledgeAttention(now) == SessionOutcome.AttentionCleared;
        if (!IsPaused) return attended ? SessionOutcome.AttentionCleared : SessionOutcome.Unchanged;
        Activate(now);
        return SessionOutcome.Resumed;
    }

    /// <summary>
    /// A reply could not be written for a reason only a person can fix (the model account is out of credit): the chat is
    /// flagged for one. Nothing else changes: the bot answers the next message if it can.
    /// </summary>
    public SessionOutcome FlagForAttention(DateTimeOffset now)
    {
        if (NeedsAttention) return SessionOutcome.Unchanged;
        NeedsAttention = true;
        UpdatedAt = now;
        return SessionOutcome.NeedsAttention;
    }

    /// <summary>
    /// The sweep: resume a takeover whose quiet period is over, a handoff nobody took within the quiet period, or a
    /// timed manual pause that has run out.
    /// </summary>
    public SessionOutcome AutoResumeIfDue(DateTimeOffset now, TimeSpan quietPeriod)
    {
        if (!IsPaused || !PauseOver(now, quietPeriod)) return SessionOutcome.Unchanged;
        Activate(now);
        return SessionOutcome.AutoResumed;
    }

    /// <summary>Older than <paramref name="staleAfter"/> when it arrived; no limit (null) keeps every message fresh.</summary>
    public static bool IsStale(DateTimeOffset sentAt, DateTimeOffset now, TimeSpan? staleAfter) =>
        staleAfter is { } limit && now - sentAt > limit;

    private SessionOutcome ReceiveStale(DateTimeOffset sentAt, DateTimeOffset now)
    {
        Touch(sentAt, now);
        NeedsAttention = true;
        return SessionOutcome.IgnoredStale;
    }

    /// <summary>A person wrote in the chat (through the API, as bot or agent): it no longer needs one.</summary>
    public SessionOutcome AcknowledgeAttention(DateTimeOffset now)
    {
        if (!NeedsAttention) return SessionOutcome.Unchanged;
        NeedsAttention = false;
        UpdatedAt = now;
        return SessionOutcome.AttentionCleared;
    }

    private bool PauseOver(DateTimeOffset now, TimeSpan quietPeriod) => PauseReason switch
    {
        Sessions.PauseReason.HumanTakeover => LastHumanAt is null || LastHumanAt.Value + quietPeriod <= now,
        // The request's own time plus the quiet period, set when it was made.
        Sessions.PauseReason.HandoffRequested or Sessions.PauseReason.Manual => PausedUntil is { } until && until <= now,
        _ => false,
    };

    private void Activate(DateTimeOffset now)
    {
        IsPaused = false;
        PauseReason = null;
        PausedUntil = null;
        ResumedAt = now;
        UpdatedAt = now;
    }

    private void Touch(DateTimeOffset sentAt, DateTimeOffset now)
    {
        // Evolution delivers out of order; the newest message time wins.
        if (LastMessageAt is null || sentAt > LastMessageAt) LastMessageAt = sentAt;
        UpdatedAt = now;
    }
}
