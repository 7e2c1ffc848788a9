using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Infrastructure.Security;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>The protector alone: values are bound to where they live, older formats still read.</summary>
public sealed class SecretProtectorTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(32);
    private static readonly SecretProtector Protector = new(Key, []);
    private static readonly string Row42 = SecretProtector.Context("instances", "evo_api_key", 42);

    [Test]
    public void AValue_DecryptsForItsOwnRow_AndIsCurrentV2()
    {
        var stored = Protector.Protect("evo-key-of-row-42", Row42);

        Assert.That(stored, Does.StartWith("enc:v2:" + KeyId(Key) + ":").And.Not.Contain("evo-key-of-row-42"));
        Assert.That(Protector.Unprotect(stored, Row42), Is.EqualTo("evo-key-of-row-42"));
        Assert.That(Protector.IsCurrent(stored), Is.True);
    }

    [Test]
    public void AValue_CopiedToAnotherRowOrColumn_DoesNotDecrypt_AndTheErrorNamesThePlaceNotTheSecret()
    {
        var stored = Protector.Protect("evo-key-of-row-42", Row42);

        foreach (var elsewhere in new[]
                 {
                     SecretProtector.Context("instances", "evo_api_key", 43),
                     SecretProtector.Context("instances", "webhook_secret", 42),
                     SecretProtector.Context("tenants", "llm_api_key", 42),
                 })
        {
            Assert.That(Protector.TryUnprotect(stored, elsewhere, out var plaintext), Is.False, elsewhere);
            Assert.That(plaintext, Is.Null);
            var failure = Assert.Throws<ServiceUnavailableException>(() => Protector.Unprotect(stored, elsewhere));
            Assert.That(failure!.Message, Does.Contain(elsewhere).And.Contain("entered again").And.Not.Contain("evo-key-of-row-42"));
        }
    }

    [Test]
    public void ADamagedValue_DoesNotDecrypt()
    {
        var stored = Protector.Protect("evo-key-of-row-42", Row42)!;
        var blob = Convert.FromBase64String(stored[(stored.LastIndexOf(':') + 1)..]);
        blob[^1] ^= 1;
        var damaged = stored[..(stored.LastIndexOf(':') + 1)] + Convert.ToBase64String(blob);

        Assert.That(Protector.TryUnprotect(damaged, Row42, out _), Is.False);
        Assert.That(Protector.TryUnprotect(stored[..^4], Row42, out _), Is.False, "truncated");
    }

    [Test]
    public void V1Values_WithoutAssociatedData_AndPlainText_StillRead_ButAreNotCurrent()
    {
        var v1 = EncryptV1("written-by-an-older-release", Key);

        Assert.That(Protector.Unprotect(v1, Row42), Is.EqualTo("written-by-an-older-release"));
        Assert.That(Protector.IsCurrent(v1), Is.False, "rewritten as v2 by the rotation service or the next write");
        Assert.That(Protector.Unprotect("legacy-plain-text", Row42), Is.EqualTo("legacy-plain-text"));
        Assert.That(Protector.IsCurrent("legacy-plain-text"), Is.False);
    }

    [Test]
    public void APreviousKey_StillDecrypts_WithTheBinding_AnUnknownKeyIsAConfigurationError()
    {
        var newKey = RandomNumberGenerator.GetBytes(32);
        var rotated = new SecretProtector(newKey, [Key]);
        var stored = Protector.Protect("evo-key-of-row-42", Row42);

        Assert.That(rotated.Unprotect(stored, Row42), Is.EqualTo("evo-key-of-row-42"));
        Assert.That(rotated.IsCurrent(stored), Is.False);
        Assert.That(rotated.TryUnprotect(stored, SecretProtector.Context("instances", "evo_api_key", 43), out _), Is.False);
        var withoutOldKey = new SecretProtector(newKey, []);
        var failure = Assert.Throws<ServiceUnavailableException>(() => withoutOldKey.TryUnprotect(stored, Row42, out _));
        Assert.That(failure!.Message, Does.Contain("SECRETS_ENCRYPTION_PREVIOUS_KEYS").And.Contain(Row42));
    }

    [Test]
    public void AValueThatLooksEncrypted_IsStillEncrypted()
    {
        var stored = Protector.Protect("enc:v1:abcdef01:not-really", Row42);

        Assert.That(stored, Does.StartWith("enc:v2:"));
        Assert.That(Protector.Unprotect(stored, Row42), Is.EqualTo("enc:v1:abcdef01:not-really"));
    }

    internal static string KeyId(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key))[..8];

    /// <summary>The v1 format as releases before the binding wrote it: AES-256-GCM without associated data.</summary>
    internal static string EncryptV1(string plaintext, byte[] key)
    {
        var nonce = RandomNumberGenerator.GetBytes(12);
        var data = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[12 + data.Length + 16];
        using var aes = new AesGcm(key, 16);
        aes.Encrypt(nonce, data, output.AsSpan(12, data.Length), output.AsSpan(12 + data.Length, 16));
        nonce.CopyTo(output, 0);
        return $"enc:v1:{KeyId(key)}:{Convert.ToBase64String(output)}";
    }
}
