using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Exceptions;

namespace HybridFlow.Infrastructure.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM: <c>enc:v1:&lt;key id&gt;:&lt;base64(nonce | ciphertext | tag)&gt;</c>.
/// The key id (first 8 hex digits of the key's SHA-256) lets old keys keep decrypting during a rotation;
/// values without the prefix are legacy plain text and are re-encrypted at startup.
/// </summary>
public sealed class SecretProtector
{
    private const string Prefix = "enc:v1:";
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _currentKey;
    private readonly string _currentKeyId;
    private readonly Dictionary<string, byte[]> _keys = new(StringComparer.Ordinal);

    public SecretProtector(byte[] currentKey, IEnumerable<byte[]> previousKeys)
    {
        if (currentKey.Length != 32) throw new ArgumentException("The encryption key must be 32 bytes.", nameof(currentKey));
        _currentKey = currentKey;
        _currentKeyId = KeyId(currentKey);
        _keys[_currentKeyId] = currentKey;
        foreach (var key in previousKeys.Where(k => k.Length == 32)) _keys.TryAdd(KeyId(key), key);
    }

    /// <summary>Reads SECRETS_ENCRYPTION_KEY (base64, 32 bytes) and SECRETS_ENCRYPTION_PREVIOUS_KEYS (comma-separated).</summary>
    public static SecretProtector FromBase64(string currentKey, string? previousKeys)
    {
        static byte[] Decode(string value, string name)
        {
            try
            {
                var bytes = Convert.FromBase64String(value.Trim());
                if (bytes.Length == 32) return bytes;
            }
            catch (FormatException)
            {
            }
            throw new InvalidOperationException($"{name} must be 32 random bytes in base64 (for example: openssl rand -base64 32).");
        }

        var previous = (previousKeys ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(k => Decode(k, "SECRETS_ENCRYPTION_PREVIOUS_KEYS"));
        return new SecretProtector(Decode(currentKey, "SECRETS_ENCRYPTION_KEY"), previous);
    }

    public static bool IsProtected(string? stored) => stored?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>True when the value is already encrypted under the current key (nothing to rotate).</summary>
    public bool IsCurrent(string? stored) => stored is null || stored.StartsWith(Prefix + _currentKeyId + ":", StringComparison.Ordinal);

    public string? Protect(string? plaintext)
    {
        if (plaintext is null || IsProtected(plaintext)) return plaintext;
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + data.Length + TagSize];
        using var aes = new AesGcm(_currentKey, TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(NonceSize, data.Length), output.AsSpan(NonceSize + data.Length, TagSize));
        nonce.CopyTo(output, 0);
        return $"{Prefix}{_currentKeyId}:{Convert.ToBase64String(output)}";
    }

    /// <summary>Decrypts a stored value; a value under an unknown key is a configuration error (503, so webhooks are retried).</summary>
    public string? Unprotect(string? stored)
    {
        if (stored is null || !IsProtected(stored)) return stored;
        var rest = stored[Prefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !_keys.TryGetValue(rest[..colon], out var key))
            throw new ServiceUnavailableException("A stored secret is encrypted under a key this process does not have (check SECRETS_ENCRYPTION_KEY / SECRETS_ENCRYPTION_PREVIOUS_KEYS).");
        try
        {
            var blob = Convert.FromBase64String(rest[(colon + 1)..]);
            var plaintext = new byte[blob.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, plaintext.Length), blob.AsSpan(NonceSize + plaintext.Length), plaintext);
            return Encoding.UTF8.GetString(plaintext);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or OverflowException or ArgumentException)
        {
            throw new ServiceUnavailableException("A stored secret could not be decrypted.", e);
        }
    }

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];
}
