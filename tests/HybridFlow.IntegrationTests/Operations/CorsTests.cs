using System.Net.Http.Headers;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>CORS_ORIGINS: a browser admin UI on a listed origin may call the API; any other origin gets no CORS headers.</summary>
public sealed class CorsTests
{
    private const string AllowedOrigin = "https://admin.example.com";
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() =>
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["CORS_ORIGINS"] = $"{AllowedOrigin}/, http://localhost:5173" });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static HttpRequestMessage Preflight(string path, string origin, string method = "POST")
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    [TestCase(AllowedOrigin)]
    [TestCase("http://localhost:5173")]
    public async Task Preflight_FromAListedOrigin_IsAllowed_WithoutAKey(string origin)
    {
        var response = await _app.Client.SendAsync(Preflight("/api/tenants", origin));
        Assert.That((int)response.StatusCode, Is.EqualTo(204), "a preflight carries no key and is not refused");
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo(origin));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Methods").Single(), Does.Contain("POST"));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Headers").Single().ToLowerInvariant(),
            Does.Contain("authorization").And.Contain("content-type"));
        Assert.That(response.Headers.Contains("Access-Control-Allow-Credentials"), Is.False, "keys travel in headers, not cookies");
    }

    [TestCase("https://evil.example.com")]
    [TestCase("https://admin.example.com.evil.net")]
    [TestCase("http://admin.example.com")]
    public async Task Preflight_FromAnotherOrigin_GetsNoCorsHeaders(string origin)
    {
        var response = await _app.Client.SendAsync(Preflight("/api/tenants", origin));
        Assert.That(response.Headers.Contains("Access-Control-Allow-Origin"), Is.False);
        Assert.That(response.Headers.Contains("Access-Control-Allow-Methods"), Is.False);
    }

    [Test]
    public async Task ActualRequest_FromAListedOrigin_ExposesTheCorrelationId()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
        request.Headers.Add("Origin", AllowedOrigin);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);
        var response = await _app.Client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        Assert.That(response.Headers.GetValues("Access-Control-Allow-Origin").Single(), Is.EqualTo(AllowedOrigin));
        Assert.That(response.Headers.GetValues("Access-Control-Expose-Headers").Single(), Does.Contain("X-Correlation-Id"));

        var foreign = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
        foreign.Headers.Add("Origin", "https://evil.example.com");
        foreign.Headers.Authorization = new AuthenticationHeaderValue("Bearer", HybridFlowApp.AdminKey);
        Assert.That((await _app.Client.SendAsync(foreign)).Headers.Contains("Access-Control-Allow-Origin"), Is.False);
    }

    [Test]
    public async Task WithoutCorsOrigins_NoCorsHeadersAreSent()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var preflight = await app.Client.SendAsync(Preflight("/api/tenants", AllowedOrigin));
        Assert.That(preflight.Headers.Contains("Access-Control-Allow-Origin"), Is.False);

        var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("Origin", AllowedOrigin);
        Assert.That((await app.Client.SendAsync(request)).Headers.Contains("Access-Control-Allow-Origin"), Is.False);
    }
}
