using HybridFlow.Domain.Chats;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Common.Interfaces;

/// <summary>
/// An instance as the webhook pipeline and the sender see it, secrets in clear. <see cref="EvolutionServerUrlTrusted"/>:
/// the URL was saved by the platform admin, so calls to it skip the outbound address guard. <see cref="Provider"/> picks
/// the channel; a <see cref="ChannelProvider.MetaCloud"/> instance has <see cref="MetaCloud"/> and no Evolution URL ("").
/// </summary>
public sealed record InstanceContext(
    long InstanceId,
    string InstanceName,
    string EvolutionServerUrl,
    string? EvolutionApiKey,
    string? WebhookSecret,
    TenantPolicy Tenant,
    bool EvolutionServerUrlTrusted = false,
    ChannelProvider Provider = ChannelProvider.Evolution,
    MetaCloudAccount? MetaCloud = null);

/// <summary>
/// A Cloud API number, secrets in clear. <see cref="AppSecret"/> and <see cref="VerifyToken"/> belong to an instance that
/// brings its own Meta app; null means the platform app's (META_APP_SECRET, META_VERIFY_TOKEN).
/// </summary>
public sealed record MetaCloudAccount(string PhoneNumberId, string? WabaId, string? AccessToken, string? AppSecret, string? VerifyToken)
{
    /// <summary>Never the secrets: a record's generated ToString would print them into any log line that formats it.</summary>
    public override string ToString() => $"MetaCloudAccount {{ PhoneNumberId = {PhoneNumberId}, WabaId = {WabaId} }}";
}
