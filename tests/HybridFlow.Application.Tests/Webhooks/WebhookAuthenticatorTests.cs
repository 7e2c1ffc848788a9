using System.Security.Cryptography;
using System.Text;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Webhooks;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Tests.Webhooks;

public sealed class WebhookAuthenticatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TenantPolicy Policy = new(1, ReplyMode.Ai, TimeSpan.FromHours(2), TimeSpan.Zero, 20, true);

    private static InstanceContext Instance(string? secret, string? apiKey = "instance-api-key") =>
        new(1, "demo", "http://evo", apiKey, secret, Policy);

    [Test]
    public void NoCredentials_AreRefused_EvenWithoutAnySecretConfigured() =>
        Assert.That(WebhookAuthenticator.IsAuthentic(Instance(null), null, WebhookCredentials.None, null, Now), Is.False);

    [Test]
    public void BodyApiKey_IsTheFallback()
    {
        Assert.That(WebhookAuthenticator.IsAuthentic(Instance(null), null, WebhookCredentials.None, "instance-api-key", Now), Is.True);
        Assert.That(WebhookAuthenticator.IsAuthentic(Instance(null), null, WebhookCredentials.None, "instance-api-kez", Now), Is.False);
        Assert.That(WebhookAuthenticator.IsAuthentic(Instance(null, apiKey: null), null, WebhookCredentials.None, "", Now), Is.False);
    }

    [Test]
    public void InstanceOrGlobalSecret_InHeaderOrQuery_IsAccepted()
    {
        var instance = Instance("per-instance");
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, "global", new("per-instance", null, null), null, Now), Is.True);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, "global", new(null, "global", null), null, Now), Is.True);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, "global", new("nope", "nope", null), null, Now), Is.False);
    }

    [Test]
    public void Jwt_IsCheckedForSignatureAlgorithmAndExpiry()
    {
        var instance = Instance("jwt-secret");
        var iat = Now.ToUnixTimeSeconds();
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, Jwt("jwt-secret", "HS256", iat + 600)), null, Now), Is.True);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, Jwt("jwt-secret", "HS256", iat - 120)), null, Now), Is.False);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, Jwt("jwt-secret", "none", iat + 600)), null, Now), Is.False);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, "a.b"), null, Now), Is.False);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, "%%%.***.!!!"), null, Now), Is.False);
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, "WzFd.WzFd.AAAA"), null, Now), Is.False, "JSON arrays, not objects");
        Assert.That(WebhookAuthenticator.IsAuthentic(instance, null, new(null, null, "bnVsbA.bnVsbA.AAAA"), null, Now), Is.False, "JSON null");
    }

    private static string Jwt(string secret, string alg, long exp)
    {
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var header = B64(Encoding.UTF8.GetBytes($$"""{"alg":"{{alg}}","typ":"JWT"}"""));
        var payload = B64(Encoding.UTF8.GetBytes($$"""{"iat":{{exp - 600}},"exp":{{exp}},"app":"evolution","action":"webhook"}"""));
        return $"{header}.{payload}.{B64(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(header + "." + payload)))}";
    }
}
