using Microsoft.Extensions.Configuration;
using static HybridFlow.Infrastructure.Settings.SettingText;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>
/// The variables the host's composition needs before there is a container (docs/ARCHITECTURE.md section 6): they pick
/// the hosted services, the database, Identity's lockout, the cookie, CORS, the rate limits and the forwarded headers.
/// Read with <see cref="SettingsRegistration.Read{T}"/>: bound and checked like the others, but at once.
/// </summary>
public sealed class HostSettings : ISettingsChecks
{
    [ConfigurationKeyName("DATABASE_URL")] public string? DatabaseUrl { get; set; }
    [ConfigurationKeyName("MIGRATE_ON_STARTUP"), Flag] public string? MigrateOnStartup { get; set; }
    [ConfigurationKeyName("ADMIN_EMAIL")] public string? AdminEmail { get; set; }
    [ConfigurationKeyName("ADMIN_PASSWORD")] public string? AdminPassword { get; set; }
    [ConfigurationKeyName("ADMIN_PASSWORD_RESET"), Flag] public string? AdminPasswordReset { get; set; }
    [ConfigurationKeyName("LOGIN_LOCKOUT_FAILURES"), Number(5, 100_000)] public string? LoginLockoutFailures { get; set; }
    /// <summary>How often a login cookie is checked against its user; 0 = every request.</summary>
    [ConfigurationKeyName("AUTH_REVALIDATE_SECONDS"), Number(0, 3600)] public string? AuthRevalidateSeconds { get; set; }
    [ConfigurationKeyName("CORS_ORIGINS")] public string? CorsOrigins { get; set; }
    [ConfigurationKeyName("RATE_LIMIT_API_PER_MINUTE"), Number(0, 10_000_000)] public string? ApiRequestsPerMinute { get; set; }
    [ConfigurationKeyName("RATE_LIMIT_WEBHOOK_PER_MINUTE"), Number(0, 10_000_000)] public string? WebhookRequestsPerMinute { get; set; }
    [ConfigurationKeyName("RATE_LIMIT_WEBHOOK_UNAUTH_PER_MINUTE"), Number(0, 10_000_000)] public string? WebhookUnauthenticatedPerMinute { get; set; }
    [ConfigurationKeyName("RATE_LIMIT_PREVIEW_REPLY_PER_MINUTE"), Number(0, 10_000)] public string? PreviewRepliesPerMinute { get; set; }
    [ConfigurationKeyName("METRICS_API_KEY")] public string? MetricsApiKey { get; set; }
    [ConfigurationKeyName("METRICS_PUBLIC"), Flag] public string? MetricsPublic { get; set; }
    [ConfigurationKeyName("TRUSTED_PROXIES")] public string? TrustedProxies { get; set; }

    IEnumerable<Action> ISettingsChecks.Checks => [() => DatabaseConnectionString(), () => PlatformAdmin(), () => ParseCorsOrigins(), () => ParseTrustedProxies()];

    public static HostSettings Read(IConfiguration configuration) => SettingsRegistration.Read<HostSettings>(configuration);

    public string DatabaseConnectionString() =>
        Persistence.Postgres.DatabaseUrl.ToConnectionString(Value(DatabaseUrl)
            ?? throw new InvalidOperationException("DATABASE_URL is not set. Use scripts/run.sh to start a local PostgreSQL, or set it to postgres://user:pass@host:port/db."));

    public bool Migrate => Flag(MigrateOnStartup, true);

    public TimeSpan AuthRevalidate => TimeSpan.FromSeconds(Number(AuthRevalidateSeconds, 60));

    public int LockoutFailures => (int)Number(LoginLockoutFailures, Application.Users.LoginOptions.DefaultLockoutFailures);

    /// <summary>The platform admin created (or reset) at startup: ADMIN_EMAIL and ADMIN_PASSWORD, with ADMIN_PASSWORD_RESET; null when unset.</summary>
    public (string Email, string Password, bool Reset)? PlatformAdmin()
    {
        var reset = Flag(AdminPasswordReset, false);
        if (Value(AdminEmail) is { } email)
            return (email, Value(AdminPassword)
                ?? throw new InvalidOperationException("ADMIN_EMAIL is set but ADMIN_PASSWORD is not; set both to create the platform admin user."), reset);
        return reset
            ? throw new InvalidOperationException("ADMIN_PASSWORD_RESET is set but ADMIN_EMAIL is not; set ADMIN_EMAIL and ADMIN_PASSWORD to reset that user's password.")
            : null;
    }

    public OperationsOptions Operations() => new()
    {
        CorsOrigins = ParseCorsOrigins(),
        ApiRequestsPerMinute = (int)Number(ApiRequestsPerMinute, OperationsOptions.DefaultApiRequestsPerMinute),
        WebhookRequestsPerMinute = (int)Number(WebhookRequestsPerMinute, OperationsOptions.DefaultWebhookRequestsPerMinute),
        WebhookUnauthenticatedPerMinute = (int)Number(WebhookUnauthenticatedPerMinute, OperationsOptions.DefaultWebhookUnauthenticatedPerMinute),
        PreviewRepliesPerMinute = (int)Number(PreviewRepliesPerMinute, OperationsOptions.DefaultPreviewRepliesPerMinute),
        MetricsApiKey = Value(MetricsApiKey),
        MetricsPublic = Flag(MetricsPublic, false),
    };

    /// <summary>CORS_ORIGINS: comma-separated origins such as <c>https://admin.example.com</c>, or <c>*</c> for any.</summary>
    private List<string> ParseCorsOrigins()
    {
        var origins = new List<string>();
        foreach (var raw in (Value(CorsOrigins) ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var origin = raw.TrimEnd('/');
            var valid = origin == "*" || (Uri.TryCreate(origin, UriKind.Absolute, out var uri)
                && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.AbsolutePath == "/" && uri.Query.Length == 0);
            if (!valid) throw new InvalidOperationException("CORS_ORIGINS must be a comma-separated list of origins like https://admin.example.com (scheme, host, optional port), or *.");
            origins.Add(origin);
        }
        return origins;
    }

    /// <summary>
    /// TRUSTED_PROXIES: comma-separated addresses and CIDRs of the proxy in front (one hop), or * for any (platforms such
    /// as Railway that do not publish their proxies' addresses). Null when unset: forwarded headers are then ignored.
    /// </summary>
    public TrustedProxies? ParseTrustedProxies()
    {
        if (Value(TrustedProxies) is not { } raw) return null;
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
