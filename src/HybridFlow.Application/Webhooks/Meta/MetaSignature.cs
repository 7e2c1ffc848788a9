using System.Security.Cryptography;
using System.Text;

namespace HybridFlow.Application.Webhooks.Meta;

/// <summary>
/// Meta's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the body as it arrived, keyed with the app secret.
/// Checked over the raw bytes (Meta signs its escaped form, <c>\u00e4</c>: JSON serialised again would not match), in
/// constant time, and never true without a secret.
/// </summary>
public static class MetaSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";
    private const int HashBytes = 32;

    public static bool IsValid(ReadOnlySpan<byte> body, string? header, string? appSecret)
    {
        if (string.IsNullOrEmpty(appSecret) || header is null) return false;
        var value = header.AsSpan().Trim();
        if (!value.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) || value.Length != Prefix.Length + HashBytes * 2) return false;

        Span<byte> claimed = stackalloc byte[HashBytes];
        if (Convert.FromHexString(value[Prefix.Length..], claimed, out _, out var written) != System.Buffers.OperationStatus.Done || written != HashBytes)
            return false;
        Span<byte> expected = stackalloc byte[HashBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, claimed);
    }

    /// <summary>The header value for <paramref name="body"/> (tests and tools that play Meta).</summary>
    public static string For(ReadOnlySpan<byte> body, string appSecret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(appSecret), body));
}
