using System.Security.Cryptography;
using System.Text;

namespace HybridFlow.Application.Common.Security;

/// <summary>Compares a presented secret with the expected one in constant time (hashed first, so lengths leak nothing).</summary>
public static class SecretComparison
{
    /// <summary>False when either side is missing: an unset secret never matches.</summary>
    public static bool Matches(string? presented, string? expected) =>
        !string.IsNullOrEmpty(presented) && !string.IsNullOrEmpty(expected)
        && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
