using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>The shared secrets callers present; in Production, one that is set but shorter than 24 characters stops startup.</summary>
internal sealed class SharedSecretSettings
{
    /// <summary>The shortest shared secret Production accepts: 24 characters, what <c>openssl rand -hex 12</c> gives.</summary>
    public const int MinimumSecretLength = 24;

    [ConfigurationKeyName("ADMIN_API_KEY")] public string? AdminApiKey { get; set; }
    [ConfigurationKeyName("METRICS_API_KEY")] public string? MetricsApiKey { get; set; }
    [ConfigurationKeyName("CRON_SECRET")] public string? CronSecret { get; set; }
    [ConfigurationKeyName("EVOLUTION_WEBHOOK_SHARED_SECRET")] public string? WebhookSharedSecret { get; set; }

    /// <summary>Production only (as the host says): empty counts as unset.</summary>
    internal sealed class StrongInProduction(IHostEnvironment? environment) : IValidateOptions<SharedSecretSettings>
    {
        public ValidateOptionsResult Validate(string? name, SharedSecretSettings options)
        {
            if (environment?.IsProduction() != true) return ValidateOptionsResult.Success;
            var failures =
                from secret in new[] { ("ADMIN_API_KEY", options.AdminApiKey), ("METRICS_API_KEY", options.MetricsApiKey),
                    ("CRON_SECRET", options.CronSecret), ("EVOLUTION_WEBHOOK_SHARED_SECRET", options.WebhookSharedSecret) }
                where SettingText.Value(secret.Item2) is { Length: < MinimumSecretLength }
                select $"{secret.Item1} is shorter than {MinimumSecretLength} characters. Generate one with: openssl rand -hex 24";
            return failures.ToList() is { Count: > 0 } list ? ValidateOptionsResult.Fail(list) : ValidateOptionsResult.Success;
        }
    }
}
