using HybridFlow.Infrastructure.Security;
using Microsoft.Extensions.Configuration;
using static HybridFlow.Infrastructure.Settings.SettingText;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>The key (and the previous keys) of the secrets at rest, bound and checked when the host starts.</summary>
internal sealed class SecretKeySettings : ISettingsChecks
{
    [ConfigurationKeyName("SECRETS_ENCRYPTION_KEY")] public string? SecretsEncryptionKey { get; set; }
    [ConfigurationKeyName("SECRETS_ENCRYPTION_PREVIOUS_KEYS")] public string? SecretsEncryptionPreviousKeys { get; set; }
    [ConfigurationKeyName("ASPNETCORE_ENVIRONMENT")] public string? AspNetCoreEnvironment { get; set; }
    [ConfigurationKeyName("DOTNET_ENVIRONMENT")] public string? DotNetEnvironment { get; set; }

    public IEnumerable<Action> Checks => [() => SecretProtector()];

    /// <summary>
    /// The key for secrets at rest. Without SECRETS_ENCRYPTION_KEY, development gets a key generated once into
    /// .data/secrets.key; anywhere else startup stops, since secrets would otherwise be unreadable after a restart.
    /// </summary>
    public SecretProtector SecretProtector()
    {
        var key = Value(SecretsEncryptionKey);
        if (key is null)
        {
            var environment = Value(AspNetCoreEnvironment) ?? Value(DotNetEnvironment) ?? "Production";
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
        return Security.SecretProtector.FromBase64(key, Value(SecretsEncryptionPreviousKeys));
    }
}
