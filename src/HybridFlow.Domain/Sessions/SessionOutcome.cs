namespace HybridFlow.Domain.Sessions;

/// <summary>What the state machine decided for one event. The names are the timeline actions.</summary>
public enum SessionOutcome
{
    /// <summary>Active session, customer wrote: a reply is due.</summary>
    Reply,
    /// <summary>The human takeover's quiet period had run out: resumed, and a reply is due.</summary>
    AutoResumedAndReply,
    /// <summary>Paused session, customer wrote: stay silent.</summary>
    IgnoredPaused,
    /// <summary>Owner typed by hand in an active chat: paused.</summary>
    Paused,
    /// <summary>Owner typed again in a paused chat: still paused, clock refreshed.</summary>
    StayedPaused,
    /// <summary>An owner message older than the quiet period (offline backlog, late retry): recorded only.</summary>
    StaleOwnerMessage,
    /// <summary>Nothing changed (echo, resume of an active chat, sweep with nothing due).</summary>
    Unchanged,
    /// <summary>Manually paused, or an existing pause updated.</summary>
    PausedManually,
    Resumed,
    AutoResumed,
    /// <summary>The customer or the model asked for a person: paused, the handoff message is due.</summary>
    HandoffRequested,
    /// <summary>A person was already requested and none came yet: no reply, no second handoff message.</summary>
    HandoffPending,
    /// <summary>A person wrote in a chat waiting for one: an ordinary human takeover from now on.</summary>
    HandoffTakenOver,
    /// <summary>Outside business hours, and no away message went to this chat in this closed period: one is due.</summary>
    AwayMessageDue,
    /// <summary>Outside business hours: nothing is sent (silent, or the away message already went).</summary>
    IgnoredOutsideHours,
    /// <summary>A customer message older than the tenant's stale_message_minutes: recorded, not answered, the chat flagged for a person.</summary>
    IgnoredStale,
    /// <summary>The chat was flagged for a person (needs_attention); the bot keeps answering fresh messages.</summary>
    NeedsAttention,
    /// <summary>A person resumed an active chat that was flagged for one: the flag is cleared.</summary>
    AttentionCleared,
}

public static class SessionOutcomeExtensions
{
    public static bool RequiresReply(this SessionOutcome outcome) =>
        outcome is SessionOutcome.Reply or SessionOutcome.AutoResumedAndReply;

    /// <summary>True when the chat just went (or stays) silent because a person took over: open replies must be cancelled.</summary>
    public static bool SilencesBot(this SessionOutcome outcome) =>
        outcome is SessionOutcome.Paused or SessionOutcome.StayedPaused or SessionOutcome.PausedManually or SessionOutcome.HandoffTakenOver;
}
