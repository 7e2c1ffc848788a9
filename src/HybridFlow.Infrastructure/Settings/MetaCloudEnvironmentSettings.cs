using HybridFlow.Application.Common;
using Microsoft.Extensions.Configuration;
using static HybridFlow.Infrastructure.Settings.SettingText;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>The platform's Meta Cloud API variables (docs/CONFIGURATION.md), bound as text and checked when the host starts.</summary>
internal sealed class MetaCloudEnvironmentSettings
{
    [ConfigurationKeyName("META_GRAPH_URL"), HttpUrl] public string? GraphUrl { get; set; }
    [ConfigurationKeyName("META_APP_SECRET")] public string? AppSecret { get; set; }
    [ConfigurationKeyName("META_VERIFY_TOKEN")] public string? VerifyToken { get; set; }
    [ConfigurationKeyName("META_STATUS_WAIT_SECONDS"), Number(0, 24 * 3600)] public string? StatusWaitSeconds { get; set; }

    public MetaCloudSettings MetaCloud() => new()
    {
        GraphUrl = HttpUrl(GraphUrl) is { } url ? new Uri(url.AbsoluteUri.TrimEnd('/')) : MetaCloudSettings.DefaultGraphUrl,
        AppSecret = Value(AppSecret),
        VerifyToken = Value(VerifyToken),
        StatusWait = TimeSpan.FromSeconds(Number(StatusWaitSeconds, 60)),
    };
}
