using System.Globalization;
using HybridFlow.Application.Common;
using HybridFlow.Application.Instances.Commands;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.Infrastructure.Hosting;
using HybridFlow.Infrastructure.Workflows;
using Microsoft.Extensions.Configuration;

namespace HybridFlow.Infrastructure;

/// <summary>Reads the environment variables of docs/CONFIGURATION.md (docs/ARCHITECTURE.md section 6); a bad value stops startup with its name.</summary>
public sealed class EnvironmentSettings
{
    private readonly IConfiguration _config;

    public EnvironmentSettings(IConfiguration config) => _config = config;

    public string? String(string name) => _config[name] is { Length: > 0 } v ? v.Trim() : null;

    public double Number(string name, double fallback, double min, double max)
    {
        var raw = String(name);
        if (raw is null) return fallback;
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new InvalidOperationException($"{name} must be a number between {min} and {max}.");
        return value;
    }

    public bool Flag(string name, bool fallback)
    {
        var raw = String(name);
        if (raw is null) return fallback;
        return raw.ToLowerInvariant() switch
        {
            "1" or "true" or "yes" or "on" => true,
            "0" or "false" or "no" or "off" => false,
            _ => throw new InvalidOperationException($"{name} must be true or false."),
        };
    }

    public string? HttpUrl(string name)
    {
        var raw = String(name);
        if (raw is null) return null;
        if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidOperationException($"{name} must be an absolute http(s) URL.");
        return raw;
    }

    /// <summary>The shortest shared secret Production accepts: 24 characters, what <c>openssl rand -hex 12</c> gives.</summary>
    public const int MinimumSecretLength = 24;

    /// <summary>Production only: a shared secret that is set but shorter than 24 characters stops startup; empty counts as unset.</summary>
    public void RequireStrongSecrets()
    {
        foreach (var name in new[] { "ADMIN_API_KEY", "METRICS_API_KEY", "CRON_SECRET", "EVOLUTION_WEBHOOK_SHARED_SECRET" })
        {
            if (String(name) is { Length: > 0 and < MinimumSecretLength })
                throw new InvalidOperationException($"{name} is shorter than {MinimumSecretLength} characters. Generate one with: openssl rand -hex 24");
        }
    }

    public string DatabaseConnectionString() =>
        Persistence.Postgres.DatabaseUrl.ToConnectionString(String("DATABASE_URL")
            ?? throw new InvalidOperationException("DATABASE_URL is not set. Use scripts/run.sh to start a local PostgreSQL, or set it to postgres://user:pass@host:port/db."));

    public HybridFlowSettings HybridFlow() => new()
    {
        DefaultSystemPrompt = String("DEFAULT_SYSTEM_PROMPT") ?? new HybridFlowSettings().DefaultSystemPrompt,
        DefaultQuietPeriod = TimeSpan.FromHours(Number("RESUME_AFTER_HOURS", 2, 1.0 / 60, 720)),
        GlobalWebhookSecret = String("EVOLUTION_WEBHOOK_SHARED_SECRET"),
        CronSecret = String("CRON_SECRET"),
        WorkflowEnabled = Flag("N8N_ENABLED", false),
        GlobalWorkflowUrl = HttpUrl("N8N_WEBHOOK_URL"),
        GlobalWorkflowApiKey = String("N8N_API_KEY"),
        PublicBaseUrl = PublicBaseUrl(),
        ReplyMaxAttempts = (int)Number("REPLY_MAX_ATTEMPTS", 5, 1, 50),
        ReplyRetryBaseDelay = TimeSpan.FromSeconds(Number("REPLY_RETRY_BASE_SECONDS", 2, 0.01, 3600)),
        ReplyJobLease = TimeSpan.FromSeconds(Number("REPLY_JOB_LEASE_SECONDS", 30, 1, 3600)),
        SendEchoWait = TimeSpan.FromSeconds(Number("SEND_ECHO_WAIT_SECONDS", 5, 0, 600)),
        MediaMaxImageBytes = (long)Number("MEDIA_MAX_IMAGE_BYTES", 16 * 1024 * 1024, 1, 100 * 1024 * 1024),
        MediaMaxAudioBytes = (long)Number("MEDIA_MAX_AUDIO_BYTES", 25 * 1024 * 1024, 1, 100 * 1024 * 1024),
        MediaMaxAudioSeconds = (int)Number("MEDIA_MAX_AUDIO_SECONDS", 600, 1, 24 * 3600),
    };

    /// <summary>PUBLIC_BASE_URL: where Evolution reaches this service, e.g. https://hybridflow.example.com.</summary>
    private string? PublicBaseUrl()
    {
        var raw = String("PUBLIC_BASE_URL");
        if (raw is null) return null;
        if (!EvolutionWebhookSettings.IsUsableBase(raw))
            throw new InvalidOperationException("PUBLIC_BASE_URL must be an absolute http(s) URL without query or fragment, e.g. https://hybridflow.example.com.");
        return raw.TrimEnd('/');
    }

    public WorkerOptions Workers()
    {
        // REPLY_WORKERS (loops of one job each) is deprecated: what it counted is now REPLY_CONCURRENCY, which wins when both are set.
        var deprecatedWorkers = String("REPLY_CONCURRENCY") is null && String("REPLY_WORKERS") is not null;
        return new WorkerOptions
        {
            Enabled = Flag("WORKERS_ENABLED", true),
            ReplyConcurrency = deprecatedWorkers
                ? (int)Number("REPLY_WORKERS", 64, 1, 10_000)
                : (int)Number("REPLY_CONCURRENCY", 1024, 1, 10_000),
            ConcurrencyFromDeprecatedReplyWorkers = deprecatedWorkers,
            TenantConcurrency = (int)Number("REPLY_TENANT_CONCURRENCY", 128, 1, 10_000),
            PollInterval = TimeSpan.FromMilliseconds(Number("REPLY_POLL_MS", 1000, 10, 60_000)),
            ShutdownGrace = TimeSpan.FromSeconds(Number("REPLY_SHUTDOWN_GRACE_SECONDS", 10, 0, 600)),
            SweepInterval = TimeSpan.FromSeconds(Number("AUTO_RESUME_SWEEP_SECONDS", 60, 1, 3600)),
        };
    }

    /// <summary>SEND_RESOLVE_SECONDS: how often sends whose answer was lost (or whose sender died) are looked at.</summary>
    /// <summary>NOTIFY_DELIVERY_SECONDS: how often the notify outbox (handoff_requested POSTs) is drained.</summary>
    public NotifyDeliveryOptions NotifyDelivery() => new()
    {
        Enabled = Flag("WORKERS_ENABLED", true),
        Interval = TimeSpan.FromSeconds(Number("NOTIFY_DELIVERY_SECONDS", 2, 0.05, 3600)),
    };

    public Realtime.InboxStreamOptions InboxStream() => new()
    {
        KeepAlive = TimeSpan.FromSeconds(Number("INBOX_KEEPALIVE_SECONDS", 15, 0.1, 3600)),
        PollInterval = TimeSpan.FromMilliseconds(Number("INBOX_POLL_MS", 200, 20, 5000)),
        StreamsPerCaller = (int)Number("INBOX_STREAMS_PER_USER", 5, 1, 1000),
        Revalidate = TimeSpan.FromSeconds(Number("AUTH_REVALIDATE_SECONDS", 60, 0, 3600)),
    };

    public Persistence.Inbox.InboxQueryOptions InboxQueries() => new()
    {
        StatementTimeout = TimeSpan.FromMilliseconds(Number("INBOX_QUERY_TIMEOUT_MS", 3000, 1, 600_000)),
    };

    public SendResolutionOptions SendResolution() => new()
    {
        Enabled = Flag("WORKERS_ENABLED", true),
        Interval = TimeSpan.FromSeconds(Number("SEND_RESOLVE_SECONDS", 2, 0.05, 3600)),
    };

    /// <summary>
    /// The key for secrets at rest. Without SECRETS_ENCRYPTION_KEY, development gets a key generated once into
    /// .data/secrets.key; anywhere else startup stops, since secrets would otherwise be unreadable after a restart.
    /// </summary>
    public Security.SecretProtector SecretProtector()
    {
        var key = String("SECRETS_ENCRYPTION_KEY");
        if (key is null)
        {
            var environment = String("ASPNETCORE_ENVIRONMENT") ?? String("DOTNET_ENVIRONMENT") ?? "Production";
            if (!environment.Equals("Development", StringComparison.OrdinalIgnoreCase))
                throw new InvalidOperationException("SECRETS_ENCRYPTION_KEY is not set. Generate one with: openssl rand -base64 32");
            var path = Path.Combine(Directory.GetCurrentDirectory(), ".data", "secrets.key");
            if (!File.Exists(path))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            }
            key = File.ReadAllText(path).Trim();
        }
        return Security.SecretProtector.FromBase64(key, String("SECRETS_ENCRYPTION_PREVIOUS_KEYS"));
    }

    public Security.OutboundAddressOptions Outbound() => new()
    {
        AllowPrivateNetworks = Flag("OUTBOUND_ALLOW_PRIVATE_NETWORKS", false),
        AllowList = Security.OutboundAllowList.Parse(String(Security.OutboundAllowList.Variable)),
        Proxy = HttpUrl("OUTBOUND_PROXY") is { } proxy ? new Uri(proxy) : null,
    };

    public WorkflowOptions Workflow() => new()
    {
        Timeout = TimeSpan.FromSeconds(Number("WORKFLOW_TIMEOUT", 10, 0.1, 60)),
    };

    public OperationsOptions Operations() => new()
    {
        CorsOrigins = CorsOrigins(),
        ApiRequestsPerMinute = (int)Number("RATE_LIMIT_API_PER_MINUTE", OperationsOptions.DefaultApiRequestsPerMinute, 0, 10_000_000),
        WebhookRequestsPerMinute = (int)Number("RATE_LIMIT_WEBHOOK_PER_MINUTE", OperationsOptions.DefaultWebhookRequestsPerMinute, 0, 10_000_000),
        WebhookUnauthenticatedPerMinute = (int)Number("RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE", OperationsOptions.DefaultWebhookUnauthenticatedPerMinute, 0, 10_000_000),
        MetricsApiKey = String("METRICS_API_KEY"),
        MetricsPublic = Flag("METRICS_PUBLIC", false),
    };

    /// <summary>CORS_ORIGINS: comma-separated origins such as <c>https://admin.example.com</c>, or <c>*</c> for any.</summary>
    private List<string> CorsOrigins()
    {
        var origins = new List<string>();
        foreach (var raw in (String("CORS_ORIGINS") ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var origin = raw.TrimEnd('/');
            var valid = origin == "*" || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.AbsolutePath == "/" && uri.Query.Length == 0);
            if (!valid) throw new InvalidOperationException("CORS_ORIGINS must be a comma-separated list of origins like https://admin.example.com (scheme, host, optional port), or *.");
            origins.Add(origin);
        }
        return origins;
    }

    public Persistence.SharedTransactionOptions SharedTransactions() => new()
    {
        MaxChats = (int)Number("WEBHOOK_TRANSACTION_MAX_CHATS", Persistence.SharedTransactionOptions.DefaultMaxChats, 1, 1000),
        MaxConcurrent = (int)Number("WEBHOOK_TRANSACTIONS", Persistence.SharedTransactionOptions.DefaultMaxConcurrent, 1, 100),
    };

    public Llm.LlmAccountOptions LlmAccounts() => new()
    {
        RetryAfter = TimeSpan.FromMinutes(Number("LLM_ACCOUNT_RETRY_MINUTES", 10, 0.01, 24 * 60)),
    };

    public EvolutionOptions Evolution() => new()
    {
        Timeout = TimeSpan.FromSeconds(Number("EVOLUTION_TIMEOUT", 30, 1, 300)),
    };

    /// <summary>
    /// TRUSTED_PROXIES: comma-separated addresses and CIDRs of the proxy in front (one hop), or * for any (platforms such
    /// as Railway that do not publish their proxies' addresses). Null when unset: forwarded headers are then ignored.
    /// </summary>
    public TrustedProxies? TrustedProxies()
    {
        var raw = String("TRUSTED_PROXIES");
        if (raw is null) return null;
        var entries = raw.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new InvalidOperationException("TRUSTED_PROXIES must list IP addresses or CIDRs, or be *.");
        if (entries.Contains("*")) return entries.Length == 1 ? new TrustedProxies(true, [], [])
            : throw new InvalidOperationException("TRUSTED_PROXIES is * (any proxy) or a list of addresses and CIDRs, not both.");
        var (addresses, networks) = (new List<System.Net.IPAddress>(), new List<System.Net.IPNetwork>());
        foreach (var entry in entries)
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network)) networks.Add(network);
            else if (!entry.Contains('/', StringComparison.Ordinal) && System.Net.IPAddress.TryParse(entry, out var address)) addresses.Add(address);
            else throw new InvalidOperationException($"TRUSTED_PROXIES has an entry that is no IP address or CIDR: '{entry}'. Use e.g. 10.0.0.5, 10.0.0.0/8 or *.");
        }
        return new TrustedProxies(false, addresses, networks);
    }
}

/// <summary>The proxies whose X-Forwarded-For and X-Forwarded-Proto are believed; <paramref name="Any"/> for TRUSTED_PROXIES=*.</summary>
public sealed record TrustedProxies(bool Any, IReadOnlyList<System.Net.IPAddress> Addresses, IReadOnlyList<System.Net.IPNetwork> Networks);
