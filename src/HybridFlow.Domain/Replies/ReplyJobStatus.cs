namespace HybridFlow.Domain.Replies;

public enum ReplyJobStatus
{
    /// <summary>Queued, waiting for its due time (debounce absorbs new messages into it).</summary>
    Pending,
    /// <summary>An attempt failed (or the provider asked to slow down); due again later.</summary>
    Retrying,
    /// <summary>A worker holds it (lease) and is asking the model or the workflow.</summary>
    Processing,
    /// <summary>Registered and handed to the gateway; the send's answer has not come back yet.</summary>
    Sending,
    /// <summary>The gateway's answer was lost: waiting for proof (the echo, then Evolution's own record).</summary>
    Unconfirmed,
    /// <summary>Nothing could prove whether it went out: a person has to look (listed as needs_attention).</summary>
    NeedsAttention,
    Sent,
    Dead,
    /// <summary>A person took the chat over before the reply went out.</summary>
    Cancelled,
    /// <summary>Dropped at send time: the chat was paused while the reply was being written.</summary>
    Discarded,
}

/// <summary>What a reply_jobs row is: a reply the worker produces, or a send made through the API.</summary>
public enum ReplyJobKind
{
    Reply,
    /// <summary>send-message "as": "bot" (recorded as the bot's message; never pauses).</summary>
    ApiBot,
    /// <summary>send-message "as": "agent" (recorded as a person's message; a human takeover).</summary>
    ApiAgent,
    /// <summary>The handoff message: a fixed text set when queued, sent by a worker without a model call.</summary>
    HandoffNotice,
    /// <summary>The away message outside business hours: a fixed text set when queued, sent by a worker without a model call.</summary>
    AwayNotice,
}

public static class ReplyJobKinds
{
    /// <summary>A worker claims it (a reply or a notice); an API send is made by its caller.</summary>
    public static bool IsWorkerJob(this ReplyJobKind kind) => ReplyJobKindSets.WorkerJobs.Contains(kind);

    /// <summary>A fixed text, set when queued: no model writes it.</summary>
    public static bool IsNotice(this ReplyJobKind kind) => kind is ReplyJobKind.HandoffNotice or ReplyJobKind.AwayNotice;
}

/// <summary>The names stored in reply_jobs.status and reply_jobs.kind.</summary>
public static class ReplyJobNames
{
    public const string Pending = "pending";
    public const string Retrying = "retrying";
    public const string Processing = "processing";
    public const string Sending = "sending";
    public const string Unconfirmed = "unconfirmed";
    public const string NeedsAttention = "needs_attention";
    public const string Sent = "sent";
    public const string Dead = "dead";
    public const string Cancelled = "cancelled";
    public const string Discarded = "discarded";

    public const string Reply = "reply";
    public const string ApiBot = "api_bot";
    public const string ApiAgent = "api_agent";
    public const string HandoffNotice = "handoff_notice";
    public const string AwayNotice = "away_notice";

    public static string ToName(this ReplyJobStatus status) => status switch
    {
        ReplyJobStatus.Pending => Pending,
        ReplyJobStatus.Retrying => Retrying,
        ReplyJobStatus.Processing => Processing,
        ReplyJobStatus.Sending => Sending,
        ReplyJobStatus.Unconfirmed => Unconfirmed,
        ReplyJobStatus.NeedsAttention => NeedsAttention,
        ReplyJobStatus.Sent => Sent,
        ReplyJobStatus.Dead => Dead,
        ReplyJobStatus.Cancelled => Cancelled,
        ReplyJobStatus.Discarded => Discarded,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static ReplyJobStatus ParseStatus(string name) => name switch
    {
        Pending => ReplyJobStatus.Pending,
        Retrying => ReplyJobStatus.Retrying,
        Processing => ReplyJobStatus.Processing,
        Sending => ReplyJobStatus.Sending,
        Unconfirmed => ReplyJobStatus.Unconfirmed,
        NeedsAttention => ReplyJobStatus.NeedsAttention,
        Sent => ReplyJobStatus.Sent,
        Dead => ReplyJobStatus.Dead,
        Cancelled => ReplyJobStatus.Cancelled,
        Discarded => ReplyJobStatus.Discarded,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown reply job status."),
    };

    public static string ToName(this ReplyJobKind kind) => kind switch
    {
        ReplyJobKind.Reply => Reply,
        ReplyJobKind.ApiBot => ApiBot,
        ReplyJobKind.ApiAgent => ApiAgent,
        ReplyJobKind.HandoffNotice => HandoffNotice,
        ReplyJobKind.AwayNotice => AwayNotice,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static ReplyJobKind ParseKind(string name) => name switch
    {
        Reply => ReplyJobKind.Reply,
        ApiBot => ReplyJobKind.ApiBot,
        ApiAgent => ReplyJobKind.ApiAgent,
        HandoffNotice => ReplyJobKind.HandoffNotice,
        AwayNotice => ReplyJobKind.AwayNotice,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown reply job kind."),
    };
}
