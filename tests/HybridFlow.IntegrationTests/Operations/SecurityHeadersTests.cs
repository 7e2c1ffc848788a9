using System.Net.Http.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>
/// Every kind of answer carries nosniff, a Referrer-Policy and no framing (CSP frame-ancestors and X-Frame-Options):
/// JSON, problem documents (400, 401, 404, 429), /health, /metrics, Swagger UI and the inbox's files, whose own CSP is kept.
/// </summary>
public sealed class SecurityHeadersTests
{
    private static void AssertSecurityHeaders(HttpResponseMessage response, string what)
    {
        string Header(string name) =>
            response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
                ? string.Join(",", values)
                : "";
        Assert.Multiple(() =>
        {
            Assert.That(Header("X-Content-Type-Options"), Is.EqualTo("nosniff"), what);
            Assert.That(Header("Content-Security-Policy"), Does.Contain("frame-ancestors 'none'"), what);
            Assert.That(Header("X-Frame-Options"), Is.EqualTo("DENY"), what);
            Assert.That(Header("Referrer-Policy"), Is.EqualTo("no-referrer"), what);
        });
    }

    [Test]
    public async Task EveryKindOfAnswer_CarriesNosniffNoFramingAndAReferrerPolicy()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["RATE_LIMIT_API_PER_MINUTE"] = "4" });

        var ok = await app.Admin.GetAsync("/api/tenants");
        Assert.That((int)ok.StatusCode, Is.EqualTo(200));
        AssertSecurityHeaders(ok, "200 JSON");
        Assert.That(string.Join(",", ok.Headers.GetValues("Content-Security-Policy")), Does.Contain("default-src 'none'"), "an API answer loads nothing");

        var invalid = await app.Admin.PostAsJsonAsync("/api/tenants", new { name = "" });
        Assert.That((int)invalid.StatusCode, Is.EqualTo(400));
        AssertSecurityHeaders(invalid, "400 problem");

        var unknown = await app.Admin.GetAsync("/api/tenants/999999");
        Assert.That((int)unknown.StatusCode, Is.EqualTo(404));
        AssertSecurityHeaders(unknown, "404 problem");

        HttpResponseMessage anonymous;
        var calls = 0;
        do
        {
            anonymous = await app.Client.GetAsync("/api/tenants");
            if (calls++ == 0)
            {
                Assert.That((int)anonymous.StatusCode, Is.EqualTo(401));
                AssertSecurityHeaders(anonymous, "401 problem");
            }
        } while ((int)anonymous.StatusCode != 429 && calls < 20);
        Assert.That((int)anonymous.StatusCode, Is.EqualTo(429));
        AssertSecurityHeaders(anonymous, "429 problem");

        AssertSecurityHeaders(await app.Client.GetAsync("/health"), "/health");
        AssertSecurityHeaders(await app.Client.GetAsync("/metrics"), "/metrics");

        var swagger = await app.Client.GetAsync("/swagger/index.html");
        Assert.That((int)swagger.StatusCode, Is.EqualTo(200));
        AssertSecurityHeaders(swagger, "Swagger UI");
        Assert.That(string.Join(",", swagger.Headers.GetValues("Content-Security-Policy")), Is.EqualTo("frame-ancestors 'none'"),
            "Swagger UI keeps its own scripts");

        var inbox = await app.Client.GetAsync("/");
        Assert.That((int)inbox.StatusCode, Is.EqualTo(200));
        AssertSecurityHeaders(inbox, "the inbox page");
        Assert.That(inbox.Headers.GetValues("Content-Security-Policy").Single(), Does.StartWith("default-src 'self'; script-src 'self'"),
            "the inbox's own, stricter policy, not replaced");
    }
}
