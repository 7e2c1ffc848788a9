namespace HybridFlow.Application.Common;

/// <summary>Webhook answers and timeline actions (shared/ARCHITECTURE.md section 5).</summary>
public static class TimelineActions
{
    public const string AiQueued = "ai_queued";
    public const string Paused = "paused";
    public const string IgnoredPaused = "ignored_paused";
    public const string AutoResumed = "auto_resumed";
    public const string DuplicateIgnored = "duplicate_ignored";
    public const string IgnoredEcho = "ignored_echo";
    public const string IgnoredGroup = "ignored_group";
    public const string IgnoredUnsupported = "ignored_unsupported";
    public const string IgnoredEvent = "ignored_event";
    public const string Recorded = "recorded";

    public const string ManualPause = "manual_pause";
    public const string Resumed = "resumed";
    public const string AiReplied = "ai_replied";
    public const string AiRetry = "ai_retry";
    public const string AiFailed = "ai_failed";
    public const string AiDiscardedCollision = "ai_discarded_collision";
    public const string AiCancelled = "ai_cancelled";
}
