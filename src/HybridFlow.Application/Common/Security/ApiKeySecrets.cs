using System.Security.Cryptography;
using System.Text;

namespace HybridFlow.Application.Common.Security;

/// <summary>Tenant API keys: 256 random bits shown once, stored as a SHA-256 hash (high-entropy keys need no slow hash).</summary>
public static class ApiKeySecrets
{
    public const string Prefix = "hf_";

    public static string NewKey() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
