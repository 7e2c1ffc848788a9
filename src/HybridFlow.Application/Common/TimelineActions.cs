namespace HybridFlow.Application.Common;

/// <summary>Webhook answers and timeline actions (docs/ARCHITECTURE.md section 5).</summary>
public static class TimelineActions
{
    public const string AiQueued = "ai_queued";
    public const string WorkflowQueued = "workflow_queued";
    public const string Paused = "paused";
    public const string IgnoredPaused = "ignored_paused";
    public const string AutoResumed = "auto_resumed";
    public const string DuplicateIgnored = "duplicate_ignored";
    public const string IgnoredEcho = "ignored_echo";
    public const string IgnoredGroup = "ignored_group";
    public const string IgnoredUnsupported = "ignored_unsupported";
    public const string IgnoredEvent = "ignored_event";
    public const string Recorded = "recorded";
    /// <summary>A customer message older than stale_message_minutes when it arrived: recorded, not answered, the chat flagged needs_attention.</summary>
    public const string IgnoredStale = "ignored_stale";

    public const string ManualPause = "manual_pause";
    public const string Resumed = "resumed";
    public const string AiReplied = "ai_replied";
    public const string AiRetry = "ai_retry";
    public const string AiFailed = "ai_failed";
    public const string AiDiscardedCollision = "ai_discarded_collision";
    public const string AiCancelled = "ai_cancelled";
    /// <summary>The model provider answered 429/overloaded: the job waits for its backoff, no attempt used.</summary>
    public const string AiRateLimited = "ai_rate_limited";
    /// <summary>A send whose answer was lost went out after all: its echo or Evolution's record (findMessages) proved it.</summary>
    public const string AiSendConfirmed = "ai_send_confirmed";
    /// <summary>A reply whose answer was lost was proved absent from Evolution's record and sent once more.</summary>
    public const string AiResent = "ai_resent";
    /// <summary>Nothing could prove whether a send went out: the chat is listed by state=needs_attention for a person.</summary>
    public const string AiOutcomeUnknown = "ai_outcome_unknown";
    /// <summary>The model's reply reached LLM_MAX_TOKENS: the detail says whether it was written again with twice the tokens (<c>regenerated</c>) or still cut and sent up to its last complete sentence (<c>cut</c>).</summary>
    public const string AiTruncated = "ai_truncated";
    /// <summary>
    /// A reply or notice of a Cloud API chat was not sent: more than 24 hours passed since the customer's last message
    /// (WhatsApp's customer service window), so only a template may go out. The detail says when the window closed.
    /// </summary>
    public const string OutsideServiceWindow = "outside_service_window";

    public const string WorkflowDelivered = "workflow_delivered";
    public const string WorkflowRetry = "workflow_retry";
    public const string WorkflowFailed = "workflow_failed";
    public const string WorkflowDiscardedCollision = "workflow_discarded_collision";
    public const string WorkflowCancelled = "workflow_cancelled";

    /// <summary>POST /api/evolution/send-message "as": "bot" went out (an agent's send is a human takeover: <see cref="Paused"/>).</summary>
    public const string BotSent = "bot_sent";
    /// <summary>A send-message "as": "bot" refused because a person has taken the chat over.</summary>
    public const string BotSendRefused = "bot_send_refused";
    /// <summary>A send-message that Evolution refused or failed.</summary>
    public const string SendFailed = "send_failed";

    /// <summary>messages.update: the receipt moved its message's status forward (or was kept until the message is recorded).</summary>
    public const string StatusUpdated = "status_updated";
    /// <summary>The customer or the owner deleted the message for everyone: its text no longer goes to the model.</summary>
    public const string MessageDeleted = "message_deleted";
    /// <summary>Cloud API: a message of the business was not delivered (a <c>failed</c> status); the detail is Meta's code and a readable reason.</summary>
    public const string MessageFailed = "message_failed";
    /// <summary>Cloud API: the owner edited a message from the WhatsApp Business app; the edit is recorded as a message of its own.</summary>
    public const string MessageEdited = "message_edited";
    /// <summary>Cloud API: a validly signed delivery for a phone_number_id no instance has (answered 200: Meta would retry it for days).</summary>
    public const string IgnoredUnknownNumber = "ignored_unknown_number";
    /// <summary>A voice note was transcribed; the transcript is the customer's turn.</summary>
    public const string MediaTranscribed = "media_transcribed";
    /// <summary>A photo went to the model with its caption.</summary>
    public const string MediaAttached = "media_attached";
    /// <summary>A voice note or photo over MEDIA_MAX_BYTES / MEDIA_MAX_AUDIO_SECONDS: not downloaded or not used.</summary>
    public const string MediaTooLarge = "media_too_large";
    /// <summary>Evolution no longer has the media (404): it cannot be understood.</summary>
    public const string MediaUnavailable = "media_unavailable";
    /// <summary>The tenant's unsupported_media_reply was sent for a voice note or photo the bot cannot understand.</summary>
    public const string UnsupportedMediaReplied = "unsupported_media_replied";
    /// <summary>The customer (a handoff keyword) or the model (request_human) asked for a person: paused, the handoff message queued.</summary>
    public const string HandoffRequested = "handoff_requested";
    /// <summary>The notify_url POST of a handoff went dead or was refused; the detail is the status code or the reason.</summary>
    public const string NotifyFailed = "notify_failed";
    /// <summary>Outside business hours, away_message: the away message is queued (once per chat per closed period).</summary>
    public const string AwayMessageSent = "away_message_sent";
    /// <summary>Outside business hours: nothing sent (silent, or the away message already went in this closed period).</summary>
    public const string IgnoredOutsideHours = "ignored_outside_hours";
    /// <summary>A fixed-text message (the handoff or the away message) went out; the detail says which.</summary>
    public const string NoticeSent = "notice_sent";

    /// <summary>Inbox: the conversation was given to a person (the detail names them), by an admin, by themselves or by their takeover.</summary>
    public const string Assigned = "assigned";
    /// <summary>Inbox: the conversation went back to the unassigned queue.</summary>
    public const string Unassigned = "unassigned";
    /// <summary>Inbox: the conversation's tags changed; the detail lists them.</summary>
    public const string Tagged = "tagged";
    /// <summary>Inbox: a person marked the conversation resolved.</summary>
    public const string Resolved = "resolved";
    /// <summary>Inbox: a resolved conversation is open again (a person reopened it, or the customer wrote).</summary>
    public const string Reopened = "reopened";
}
