using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Exceptions;

namespace HybridFlow.Infrastructure.Security;

/// <summary>
/// Encrypts secrets at rest with AES-256-GCM: <c>enc:v2:&lt;key id&gt;:&lt;base64(nonce | ciphertext | tag)&gt;</c>, bound by
/// associated data to where the value lives (<see cref="Context"/>: table, column and row), so a ciphertext copied to
/// another row or column does not decrypt. The key id (first 8 hex digits of the key's SHA-256) lets old keys keep
/// decrypting during a rotation. <c>enc:v1:</c> values (no associated data) and values without a prefix (legacy plain
/// text) are still read, and rewritten as v2 at startup (<see cref="SecretReencryptionService"/>) or on the next write.
/// </summary>
internal sealed class SecretProtector
{
    private const string Prefix = "enc:v2:";
    private const string UnboundPrefix = "enc:v1:";
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

    /// <summary>Where a secret lives, e.g. <c>instances.evo_api_key:42</c>: its associated data, and the name used in errors and logs.</summary>
    public static string Context(string table, string column, object rowKey) => $"{table}.{column}:{rowKey}";

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

    public static bool IsProtected(string? stored) =>
        stored?.StartsWith(Prefix, StringComparison.Ordinal) == true || stored?.StartsWith(UnboundPrefix, StringComparison.Ordinal) == true;

    /// <summary>True when the value is already bound and encrypted under the current key (nothing to rotate or upgrade).</summary>
    public bool IsCurrent(string? stored) => stored is null || stored.StartsWith(Prefix + _currentKeyId + ":", StringComparison.Ordinal);

    /// <summary>Encrypts under the current key, bound to <paramref name="context"/> (see <see cref="Context"/>).</summary>
    public string? Protect(string? plaintext, string context)
    {
        if (plaintext is null) return null;
        var nonce = RandomNumberGenerator.GetBytes(NonceSize);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + data.Length + TagSize];
        using var aes = new AesGcm(_currentKey, TagSize);
        aes.Encrypt(nonce, data, output.AsSpan(NonceSize, data.Length), output.AsSpan(NonceSize + data.Length, TagSize), AssociatedData(context));
        nonce.CopyTo(output, 0);
        return $"{Prefix}{_currentKeyId}:{Convert.ToBase64String(output)}";
    }

    /// <summary>
    /// Decrypts a stored value written for <paramref name="context"/>. A value under an unknown key is a configuration
    /// error, and so is a value that does not authenticate (copied from another row or column, or damaged): both are
    /// 503s, so webhooks are retried, and the message names the context, never the value.
    /// </summary>
    public string? Unprotect(string? stored, string context) =>
        TryUnprotect(stored, context, out var plaintext) ? plaintext
            : throw new ServiceUnavailableException($"The stored secret {context} does not decrypt for this row: it was copied from elsewhere or is damaged, and must be entered again.");

    /// <summary>
    /// False when the value does not authenticate for <paramref name="context"/> (another row's or column's, or damaged);
    /// a value under a key this process does not have still throws (503): that is the configuration's fault, not the value's.
    /// </summary>
    public bool TryUnprotect(string? stored, string context, out string? plaintext)
    {
        plaintext = stored;
        if (stored is null || !IsProtected(stored)) return true;
        var bound = stored.StartsWith(Prefix, StringComparison.Ordinal);
        var rest = stored[(bound ? Prefix : UnboundPrefix).Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !_keys.TryGetValue(rest[..colon], out var key))
            throw new ServiceUnavailableException($"The stored secret {context} is encrypted under a key this process does not have (check SECRETS_ENCRYPTION_KEY / SECRETS_ENCRYPTION_PREVIOUS_KEYS).");
        try
        {
            var blob = Convert.FromBase64String(rest[(colon + 1)..]);
            var data = new byte[blob.Length - NonceSize - TagSize];
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(blob.AsSpan(0, NonceSize), blob.AsSpan(NonceSize, data.Length), blob.AsSpan(NonceSize + data.Length), data,
                bound ? AssociatedData(context) : default);
            plaintext = Encoding.UTF8.GetString(data);
            return true;
        }
        catch (Exception e) when (e is CryptographicException or FormatException or OverflowException or ArgumentException)
        {
            plaintext = null;
            return false;
        }
    }

    private static byte[] AssociatedData(string context) => Encoding.UTF8.GetBytes("hybridflow-secret:" + context);

    private static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];
}
