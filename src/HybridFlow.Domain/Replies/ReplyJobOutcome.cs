namespace HybridFlow.Domain.Replies;

/// <summary>What a <see cref="ReplyJob"/> transition did.</summary>
public enum ReplyJobOutcome
{
    /// <summary>The model's reply is kept on the job.</summary>
    Generated,
    /// <summary>The send is registered: the gateway may be called now.</summary>
    SendBegun,
    /// <summary>The workflow may be called now (nothing is registered: a POST may be repeated).</summary>
    DispatchBegun,
    Sent,
    /// <summary>A part went out and more follow: the job is processing again, at its next part.</summary>
    PartSent,
    /// <summary>The gateway's answer was lost: the send waits for proof.</summary>
    OutcomeUnknown,
    /// <summary>The echo or Evolution's record proved it went out.</summary>
    Confirmed,
    /// <summary>Evolution's record showed it absent once: it is read back again later before anything is decided.</summary>
    AbsenceSeen,
    /// <summary>Proved absent: sent once more.</summary>
    Resent,
    /// <summary>Evolution's record could not be read: asked again later.</summary>
    ReadBackRetry,
    /// <summary>Nothing could prove either way: a person has to look.</summary>
    NeedsAttention,
    /// <summary>A person looked (paused, resumed, or wrote): no longer listed.</summary>
    Acknowledged,
    Retry,
    /// <summary>The provider asked to slow down: due again later, the attempt given back.</summary>
    Postponed,
    Dead,
    Cancelled,
    Discarded,
    /// <summary>The model asked for a person instead of replying: nothing is sent.</summary>
    HandedOff,
    /// <summary>WhatsApp's 24-hour window of the chat is closed: nothing is sent (only a template could be).</summary>
    OutsideServiceWindow,
    /// <summary>The job is no longer this worker's (another attempt holds it, or it was finished meanwhile): nothing changed.</summary>
    Lost,
}
