using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Common;

/// <summary>Service-wide settings from the environment; per-tenant values override the defaults.</summary>
public sealed record HybridFlowSettings
{
    public string DefaultSystemPrompt { get; init; } =
        "You are a helpful WhatsApp assistant for this business. Answer briefly, politely and in the customer's language.";
    public TimeSpan DefaultQuietPeriod { get; init; } = TimeSpan.FromHours(2);
    public string? GlobalWebhookSecret { get; init; }
    public string? CronSecret { get; init; }

    /// <summary>N8N_ENABLED: new tenants default to reply_mode workflow.</summary>
    public bool WorkflowEnabled { get; init; }
    /// <summary>N8N_WEBHOOK_URL: the workflow of workflow-mode tenants that have no workflow_url of their own.</summary>
    public string? GlobalWorkflowUrl { get; init; }
    /// <summary>N8N_API_KEY: Bearer token for the global workflow URL, and the signing secret of tenants without workflow_secret.</summary>
    public string? GlobalWorkflowApiKey { get; init; }
    /// <summary>PUBLIC_BASE_URL: where HybridFlow is reachable from outside (no trailing slash): Evolution's webhook target and the workflow's reply_url.</summary>
    public string? PublicBaseUrl { get; init; }

    /// <summary>Attempts per reply job before it is dead.</summary>
    public int ReplyMaxAttempts { get; init; } = 5;
    /// <summary>First retry delay; each later one doubles.</summary>
    public TimeSpan ReplyRetryBaseDelay { get; init; } = TimeSpan.FromSeconds(2);
    public TimeSpan ReplyRetryMaxDelay { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>How long a claimed job belongs to its worker before another may take it over; the worker renews it every third of it.</summary>
    public TimeSpan ReplyJobLease { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Finished jobs older than this are removed by the cron sweep; the timeline keeps their story.</summary>
    public TimeSpan FinishedJobRetention { get; init; } = TimeSpan.FromDays(7);

    /// <summary>How long a send may wait for the gateway's answer before a resolver looks for proof (its sender may have died).</summary>
    public TimeSpan SendLease { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>SEND_ECHO_WAIT_SECONDS: after a send's answer was lost, how long its echo is awaited before Evolution's record is read back.</summary>
    public TimeSpan SendEchoWait { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>MEDIA_MAX_IMAGE_BYTES: a larger photo is neither downloaded nor sent to the model.</summary>
    public long MediaMaxImageBytes { get; init; } = 16L * 1024 * 1024;
    /// <summary>MEDIA_MAX_AUDIO_BYTES: a larger voice note is not transcribed (OpenAI's transcription limit is 25 MB).</summary>
    public long MediaMaxAudioBytes { get; init; } = 25L * 1024 * 1024;
    /// <summary>MEDIA_MAX_AUDIO_SECONDS: a longer voice note is not transcribed.</summary>
    public int MediaMaxAudioSeconds { get; init; } = 600;
    /// <summary>Receipts for messages never recorded (another client's, lost) are dropped after this.</summary>
    public TimeSpan PendingReceiptRetention { get; init; } = TimeSpan.FromMinutes(15);

    public ReplyRetryPolicy RetryPolicy => new(ReplyMaxAttempts, ReplyRetryBaseDelay, ReplyRetryMaxDelay);
}
