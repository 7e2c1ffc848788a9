using HybridFlow.Application.Common;
using HybridFlow.Application.Instances.Commands;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.Infrastructure.Hosting;
using HybridFlow.Infrastructure.Security;
using HybridFlow.Infrastructure.Workflows;
using Microsoft.Extensions.Configuration;
using static HybridFlow.Infrastructure.Settings.SettingText;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>
/// The environment variables of docs/CONFIGURATION.md that the running service reads (docs/ARCHITECTURE.md section 6),
/// bound as text and checked when the host starts; the methods build the settings objects the services receive.
/// </summary>
internal sealed class EnvironmentSettings : ISettingsChecks
{
    [ConfigurationKeyName("DEFAULT_SYSTEM_PROMPT")] public string? DefaultSystemPrompt { get; set; }
    [ConfigurationKeyName("RESUME_AFTER_HOURS"), Number(1.0 / 60, 720)] public string? ResumeAfterHours { get; set; }
    [ConfigurationKeyName("EVOLUTION_WEBHOOK_SHARED_SECRET")] public string? WebhookSharedSecret { get; set; }
    [ConfigurationKeyName("CRON_SECRET")] public string? CronSecret { get; set; }
    [ConfigurationKeyName("N8N_ENABLED"), Flag] public string? N8nEnabled { get; set; }
    [ConfigurationKeyName("N8N_WEBHOOK_URL"), HttpUrl] public string? N8nWebhookUrl { get; set; }
    [ConfigurationKeyName("N8N_API_KEY")] public string? N8nApiKey { get; set; }
    [ConfigurationKeyName("PUBLIC_BASE_URL")] public string? PublicBaseUrl { get; set; }
    [ConfigurationKeyName("REPLY_MAX_ATTEMPTS"), Number(1, 50)] public string? ReplyMaxAttempts { get; set; }
    [ConfigurationKeyName("REPLY_RETRY_BASE_SECONDS"), Number(0.01, 3600)] public string? ReplyRetryBaseSeconds { get; set; }
    [ConfigurationKeyName("REPLY_JOB_LEASE_SECONDS"), Number(1, 3600)] public string? ReplyJobLeaseSeconds { get; set; }
    [ConfigurationKeyName("SEND_ECHO_WAIT_SECONDS"), Number(0, 600)] public string? SendEchoWaitSeconds { get; set; }
    [ConfigurationKeyName("MEDIA_MAX_IMAGE_BYTES"), Number(1, 100 * 1024 * 1024)] public string? MediaMaxImageBytes { get; set; }
    [ConfigurationKeyName("MEDIA_MAX_AUDIO_BYTES"), Number(1, 100 * 1024 * 1024)] public string? MediaMaxAudioBytes { get; set; }
    [ConfigurationKeyName("MEDIA_MAX_AUDIO_SECONDS"), Number(1, 24 * 3600)] public string? MediaMaxAudioSeconds { get; set; }

    [ConfigurationKeyName("WORKERS_ENABLED"), Flag] public string? WorkersEnabled { get; set; }
    [ConfigurationKeyName("REPLY_CONCURRENCY"), Number(1, 10_000)] public string? ReplyConcurrency { get; set; }
    /// <summary>Deprecated: what it counted (loops of one job each) is now REPLY_CONCURRENCY, which wins when both are set.</summary>
    [ConfigurationKeyName("REPLY_WORKERS"), Number(1, 10_000)] public string? ReplyWorkers { get; set; }
    [ConfigurationKeyName("REPLY_TENANT_CONCURRENCY"), Number(1, 10_000)] public string? ReplyTenantConcurrency { get; set; }
    [ConfigurationKeyName("REPLY_POLL_MS"), Number(10, 60_000)] public string? ReplyPollMs { get; set; }
    [ConfigurationKeyName("REPLY_SHUTDOWN_GRACE_SECONDS"), Number(0, 600)] public string? ReplyShutdownGraceSeconds { get; set; }
    [ConfigurationKeyName("AUTO_RESUME_SWEEP_SECONDS"), Number(1, 3600)] public string? AutoResumeSweepSeconds { get; set; }
    /// <summary>How often the notify outbox (handoff_requested POSTs) is drained.</summary>
    [ConfigurationKeyName("NOTIFY_DELIVERY_SECONDS"), Number(0.05, 3600)] public string? NotifyDeliverySeconds { get; set; }
    /// <summary>How often sends whose answer was lost (or whose sender died) are looked at.</summary>
    [ConfigurationKeyName("SEND_RESOLVE_SECONDS"), Number(0.05, 3600)] public string? SendResolveSeconds { get; set; }

    [ConfigurationKeyName("INBOX_KEEPALIVE_SECONDS"), Number(0.1, 3600)] public string? InboxKeepAliveSeconds { get; set; }
    [ConfigurationKeyName("INBOX_POLL_MS"), Number(20, 5000)] public string? InboxPollMs { get; set; }
    [ConfigurationKeyName("INBOX_STREAMS_PER_USER"), Number(1, 1000)] public string? InboxStreamsPerUser { get; set; }
    [ConfigurationKeyName("AUTH_REVALIDATE_SECONDS"), Number(0, 3600)] public string? AuthRevalidateSeconds { get; set; }
    [ConfigurationKeyName("INBOX_QUERY_TIMEOUT_MS"), Number(1, 600_000)] public string? InboxQueryTimeoutMs { get; set; }

    [ConfigurationKeyName("OUTBOUND_ALLOW_PRIVATE_NETWORKS"), Flag] public string? OutboundAllowPrivateNetworks { get; set; }
    [ConfigurationKeyName(OutboundAllowList.Variable)] public string? OutboundAllowAddresses { get; set; }
    [ConfigurationKeyName("OUTBOUND_PROXY"), HttpUrl] public string? OutboundProxy { get; set; }
    [ConfigurationKeyName("WORKFLOW_TIMEOUT"), Number(0.1, 60)] public string? WorkflowTimeout { get; set; }
    [ConfigurationKeyName("EVOLUTION_TIMEOUT"), Number(1, 300)] public string? EvolutionTimeout { get; set; }
    [ConfigurationKeyName("LLM_ACCOUNT_RETRY_MINUTES"), Number(0.01, 24 * 60)] public string? LlmAccountRetryMinutes { get; set; }
    /// <summary>Prices per provider:model (input/output per million tokens) that turn the stats' tokens into money.</summary>
    [ConfigurationKeyName("LLM_PRICES")] public string? LlmPrices { get; set; }
    [ConfigurationKeyName("WEBHOOK_TRANSACTION_MAX_CHATS"), Number(1, 1000)] public string? WebhookTransactionMaxChats { get; set; }
    [ConfigurationKeyName("WEBHOOK_TRANSACTIONS"), Number(1, 100)] public string? WebhookTransactions { get; set; }

    public IEnumerable<Action> Checks => [() => CheckPublicBaseUrl(), () => Outbound(), () => Prices()];

    public Application.Stats.LlmPrices Prices()
    {
        try
        {
            return Application.Stats.LlmPrices.Parse(LlmPrices);
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException(e.Message);
        }
    }

    public HybridFlowSettings HybridFlow() => new()
    {
        DefaultSystemPrompt = Value(DefaultSystemPrompt) ?? new HybridFlowSettings().DefaultSystemPrompt,
        DefaultQuietPeriod = TimeSpan.FromHours(Number(ResumeAfterHours, 2)),
        GlobalWebhookSecret = Value(WebhookSharedSecret),
        CronSecret = Value(CronSecret),
        WorkflowEnabled = Flag(N8nEnabled, false),
        GlobalWorkflowUrl = Value(N8nWebhookUrl),
        GlobalWorkflowApiKey = Value(N8nApiKey),
        PublicBaseUrl = Value(PublicBaseUrl)?.TrimEnd('/'),
        ReplyMaxAttempts = (int)Number(ReplyMaxAttempts, 5),
        ReplyRetryBaseDelay = TimeSpan.FromSeconds(Number(ReplyRetryBaseSeconds, 2)),
        ReplyJobLease = TimeSpan.FromSeconds(Number(ReplyJobLeaseSeconds, 30)),
        SendEchoWait = TimeSpan.FromSeconds(Number(SendEchoWaitSeconds, 5)),
        MediaMaxImageBytes = (long)Number(MediaMaxImageBytes, 16 * 1024 * 1024),
        MediaMaxAudioBytes = (long)Number(MediaMaxAudioBytes, 25 * 1024 * 1024),
        MediaMaxAudioSeconds = (int)Number(MediaMaxAudioSeconds, 600),
    };

    /// <summary>PUBLIC_BASE_URL: where Evolution reaches this service, e.g. https://hybridflow.example.com.</summary>
    private void CheckPublicBaseUrl()
    {
        if (Value(PublicBaseUrl) is { } url && !EvolutionWebhookSettings.IsUsableBase(url))
            throw new InvalidOperationException("PUBLIC_BASE_URL must be an absolute http(s) URL without query or fragment, e.g. https://hybridflow.example.com.");
    }

    public WorkerOptions Workers()
    {
        var deprecatedWorkers = Value(ReplyConcurrency) is null && Value(ReplyWorkers) is not null;
        return new WorkerOptions
        {
            Enabled = Flag(WorkersEnabled, true),
            ReplyConcurrency = deprecatedWorkers ? (int)Number(ReplyWorkers, 64) : (int)Number(ReplyConcurrency, 1024),
            ConcurrencyFromDeprecatedReplyWorkers = deprecatedWorkers,
            TenantConcurrency = (int)Number(ReplyTenantConcurrency, 128),
            PollInterval = TimeSpan.FromMilliseconds(Number(ReplyPollMs, 1000)),
            ShutdownGrace = TimeSpan.FromSeconds(Number(ReplyShutdownGraceSeconds, 10)),
            SweepInterval = TimeSpan.FromSeconds(Number(AutoResumeSweepSeconds, 60)),
        };
    }

    public NotifyDeliveryOptions NotifyDelivery() =>
        new() { Enabled = Flag(WorkersEnabled, true), Interval = TimeSpan.FromSeconds(Number(NotifyDeliverySeconds, 2)) };

    public SendResolutionOptions SendResolution() =>
        new() { Enabled = Flag(WorkersEnabled, true), Interval = TimeSpan.FromSeconds(Number(SendResolveSeconds, 2)) };

    public Realtime.InboxStreamOptions InboxStream() => new()
    {
        KeepAlive = TimeSpan.FromSeconds(Number(InboxKeepAliveSeconds, 15)),
        PollInterval = TimeSpan.FromMilliseconds(Number(InboxPollMs, 200)),
        StreamsPerCaller = (int)Number(InboxStreamsPerUser, 5),
        Revalidate = TimeSpan.FromSeconds(Number(AuthRevalidateSeconds, 60)),
    };

    public Persistence.Inbox.InboxQueryOptions InboxQueries() =>
        new() { StatementTimeout = TimeSpan.FromMilliseconds(Number(InboxQueryTimeoutMs, 3000)) };

    public OutboundAddressOptions Outbound() => new()
    {
        AllowPrivateNetworks = Flag(OutboundAllowPrivateNetworks, false),
        AllowList = OutboundAllowList.Parse(Value(OutboundAllowAddresses)),
        Proxy = HttpUrl(OutboundProxy),
    };

    public WorkflowOptions Workflow() => new() { Timeout = TimeSpan.FromSeconds(Number(WorkflowTimeout, 10)) };

    public EvolutionOptions Evolution() => new() { Timeout = TimeSpan.FromSeconds(Number(EvolutionTimeout, 30)) };

    public Llm.LlmAccountOptions LlmAccounts() => new() { RetryAfter = TimeSpan.FromMinutes(Number(LlmAccountRetryMinutes, 10)) };

    public Persistence.ChatTransactions.SharedTransactionOptions SharedTransactions() => new()
    {
        MaxChats = (int)Number(WebhookTransactionMaxChats, Persistence.ChatTransactions.SharedTransactionOptions.DefaultMaxChats),
        MaxConcurrent = (int)Number(WebhookTransactions, Persistence.ChatTransactions.SharedTransactionOptions.DefaultMaxConcurrent),
    };
}
