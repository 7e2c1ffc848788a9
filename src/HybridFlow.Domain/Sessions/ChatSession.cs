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
        DateTimeOffset? resumedAt, DateTimeOffset createdAt, DateTimeOffset updatedAt) => new()
    {
        Id = id, TenantId = tenantId, InstanceId = instanceId, ChatId = chatId, IsPaused = isPaused,
        PauseReason = pauseReason, PausedUntil = pausedUntil, LastMessageAt = lastMessageAt,
        LastHumanAt = lastHumanAt, ResumedAt = resumedAt, CreatedAt = createdAt, UpdatedAt = updatedAt,
    };

    public SessionOutcome ReceiveCustomerMessage(DateTimeOffset sentAt, DateTimeOffset now, TimeSpan quietPeriod)
    {
        Touch(sentAt, now);
        if (!IsPaused) return SessionOutcome.Reply;
        if (PauseReason == Sessions.PauseReason.HumanTakeover && QuietPeriodOver(now, quietPeriod))
        {
            Activate(now);
            return SessionOutcome.AutoResumedAndReply;
        }
        return SessionOutcome.IgnoredPaused;
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
        if (IsPaused)
        {
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
        UpdatedAt = now;
        return SessionOutcome.PausedManually;
    }

    public SessionOutcome Resume(DateTimeOffset now)
    {
        if (!IsPaused) return SessionOutcome.Unchanged;
        Activate(now);
        return SessionOutcome.Resumed;
    }

    /// <summary>The sweep: resume a takeover whose quiet period is over, or a timed manual pause that has run out.</summary>
    public SessionOutcome AutoResumeIfDue(DateTimeOffset now, TimeSpan quietPeriod)
    {
        if (!IsPaused) return SessionOutcome.Unchanged;
        var due = PauseReason switch
        {
            Sessions.PauseReason.HumanTakeover => QuietPeriodOver(now, quietPeriod),
            Sessions.PauseReason.Manual => PausedUntil is { } until && until <= now,
            _ => false,
        };
        if (!due) return SessionOutcome.Unchanged;
        Activate(now);
        return SessionOutcome.AutoResumed;
    }

    private bool QuietPeriodOver(DateTimeOffset now, TimeSpan quietPeriod) =>
        LastHumanAt is null || LastHumanAt.Value + quietPeriod <= now;

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
