using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Application.Webhooks;

/// <summary>The ways an Evolution webhook call can prove itself (docs/ARCHITECTURE.md section 7).</summary>
public sealed record WebhookCredentials(string? SecretHeader, string? QueryToken, string? BearerToken)
{
    public static readonly WebhookCredentials None = new(null, null, null);

    /// <summary>Whether a header, token or Bearer credential was sent at all (the body's apikey is not one of these).</summary>
    public bool ArePresent => !string.IsNullOrEmpty(SecretHeader) || !string.IsNullOrEmpty(QueryToken) || !string.IsNullOrEmpty(BearerToken);
}

/// <summary>
/// Evolution signs nothing, so a call is accepted when a shared secret matches (header or token query),
/// when its jwt_key Bearer token verifies (HS256, not expired), or when the body carries the instance's API key.
/// All comparisons are constant-time.
/// </summary>
public static class WebhookAuthenticator
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    public static bool IsAuthentic(InstanceContext instance, string? globalSecret, WebhookCredentials credentials, string? bodyApiKey, DateTimeOffset now) =>
        HeaderCredentialsMatch(instance, globalSecret, credentials, now) || SecretComparison.Matches(bodyApiKey, instance.EvolutionApiKey);

    /// <summary>The header, token or Bearer credential matches the instance's or the global secret; the body is not needed.</summary>
    public static bool HeaderCredentialsMatch(InstanceContext instance, string? globalSecret, WebhookCredentials credentials, DateTimeOffset now) =>
        MatchesSecret(instance.WebhookSecret, credentials, now) || MatchesSecret(globalSecret, credentials, now);

    /// <summary>The header, token or Bearer credential matches <paramref name="secret"/> (nothing matches an empty one).</summary>
    public static bool MatchesSecret(string? secret, WebhookCredentials credentials, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(secret)) return false;
        if (SecretComparison.Matches(credentials.SecretHeader, secret) || SecretComparison.Matches(credentials.QueryToken, secret)) return true;
        return credentials.BearerToken is { } jwt && IsValidJwt(jwt, secret, now);
    }

    /// <summary>Verifies an HS256 JWT as Evolution's jwt_key option makes it: signature and exp.</summary>
    public static bool IsValidJwt(string token, string secret, DateTimeOffset now)
    {
        var parts = token.Split('.');
        if (parts.Length != 3) return false;
        try
        {
            using var header = JsonDocument.Parse(Base64UrlDecode(parts[0]));
            if (header.RootElement.ValueKind != JsonValueKind.Object
                || !header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
                return false;

            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
            if (!CryptographicOperations.FixedTimeEquals(expected, Base64UrlDecode(parts[2]))) return false;

            using var payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            if (payload.RootElement.ValueKind != JsonValueKind.Object
                || !payload.RootElement.TryGetProperty("exp", out var exp)
                || exp.ValueKind != JsonValueKind.Number
                || !exp.TryGetInt64(out var expSeconds)) return false;
            return DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(expSeconds, 0, 253_402_300_799)) + ClockSkew > now;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static byte[] Base64UrlDecode(string s)
    {
        var padded = s.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => "", _ => throw new FormatException("Bad base64url length.") };
        return Convert.FromBase64String(padded);
    }
}
