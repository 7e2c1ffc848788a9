using System.Net;
using System.Net.Http.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>
/// TRUSTED_PROXIES: the proxy at 127.0.0.2 is trusted, so its X-Forwarded-Proto and X-Forwarded-For make the request
/// HTTPS from the client's address; the same headers from 127.0.0.1 or 127.0.0.3 (not the proxy) are ignored.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private const int AnonymousPerMinute = 6;
    private HybridFlowApp _app = null!;
    private long _tenant;
    private readonly List<HttpClient> _clients = [];

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["TRUSTED_PROXIES"] = "127.0.0.2, 10.20.0.0/16",
            ["RATE_LIMIT_API_PER_MINUTE"] = AnonymousPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, realHttp: true);
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Behind a proxy" });
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        foreach (var client in _clients) client.Dispose();
        await _app.DisposeAsync();
    }

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private HttpClient From(IPAddress source, string? forwardedFor = null, string? forwardedProto = "https")
    {
        var client = SourceAddressClients.Create(_app.RealAddress!, source);
        if (forwardedFor is not null) client.DefaultRequestHeaders.Add("X-Forwarded-For", forwardedFor);
        if (forwardedProto is not null) client.DefaultRequestHeaders.Add("X-Forwarded-Proto", forwardedProto);
        _clients.Add(client);
        return client;
    }

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    private static string AuthCookie(HttpResponseMessage response) =>
        response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)).ToLowerInvariant();

    [Test]
    public async Task FromTheTrustedProxy_HttpsForwarded_GivesSecureCookiesAndHsts_AndFromAnyoneElseNeither()
    {
        var email = NewEmail("ana");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");

        var viaProxy = await LoginAsync(From(SourceAddressClients.Second, forwardedFor: "198.51.100.1"), email, UserSessions.DefaultPassword);
        var direct = await LoginAsync(From(SourceAddressClients.First, forwardedFor: "198.51.100.2"), email, UserSessions.DefaultPassword);

        Assert.That((int)viaProxy.StatusCode, Is.EqualTo(200), await viaProxy.Content.ReadAsStringAsync());
        Assert.That(AuthCookie(viaProxy), Does.Contain("secure").And.Contain("httponly"));
        Assert.That(viaProxy.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal)).ToLowerInvariant(),
            Does.Contain("secure"));
        Assert.That(viaProxy.Headers.GetValues("Strict-Transport-Security").Single(), Does.Contain("max-age="));

        Assert.That((int)direct.StatusCode, Is.EqualTo(200));
        Assert.That(AuthCookie(direct), Does.Not.Contain("secure"), "an untrusted X-Forwarded-Proto is ignored");
        Assert.That(direct.Headers.Contains("Strict-Transport-Security"), Is.False, "no HSTS over plain HTTP");
    }

    [Test]
    public async Task FromTheTrustedProxy_RateLimitsAndLoginThrottles_SeeEachClient_AndFromAnyoneElseTheConnection()
    {
        async Task<List<int>> AnonymousStatusesAsync(HttpClient client, int count)
        {
            var statuses = new List<int>();
            for (var i = 0; i < count; i++) statuses.Add((int)(await client.GetAsync("/api/tenants")).StatusCode);
            return statuses;
        }

        var firstClient = await AnonymousStatusesAsync(From(SourceAddressClients.Second, forwardedFor: "203.0.113.10"), AnonymousPerMinute + 1);
        var secondClient = await AnonymousStatusesAsync(From(SourceAddressClients.Second, forwardedFor: "203.0.113.11"), 1);
        var statuses = new List<int>();
        for (var i = 0; i < AnonymousPerMinute + 1; i++)
            statuses.AddRange(await AnonymousStatusesAsync(From(SourceAddressClients.Third, forwardedFor: $"203.0.113.{20 + i}"), 1));

        Assert.That(firstClient.Take(AnonymousPerMinute), Is.All.EqualTo(401));
        Assert.That(firstClient[^1], Is.EqualTo(429), "one client behind the proxy used up its own budget");
        Assert.That(secondClient, Is.All.EqualTo(401), "another client behind the same proxy has a budget of its own");
        Assert.That(statuses.Take(AnonymousPerMinute), Is.All.EqualTo(401));
        Assert.That(statuses[^1], Is.EqualTo(429), "not the proxy: a made-up X-Forwarded-For buys no fresh budget");

        var email = NewEmail("bia");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var attacker = From(SourceAddressClients.Second, forwardedFor: "203.0.113.40");
        for (var i = 0; i < 4; i++) await LoginAsync(attacker, email, "wrong password " + i);
        Assert.That((int)(await LoginAsync(attacker, email, "wrong password 5")).StatusCode, Is.EqualTo(429));
        var owner = await LoginAsync(From(SourceAddressClients.Second, forwardedFor: "203.0.113.41"), email, UserSessions.DefaultPassword);
        Assert.That((int)owner.StatusCode, Is.EqualTo(200), "the login throttle counts the client, not the proxy");
    }

    [Test]
    public async Task AStar_TrustsAnyProxy_AsOnRailway()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = "*" }, realHttp: true);
        using var client = SourceAddressClients.Create(app.RealAddress!, SourceAddressClients.Third);
        client.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
        client.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.9");

        var login = await LoginAsync(client, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);

        Assert.That((int)login.StatusCode, Is.EqualTo(200));
        Assert.That(AuthCookie(login), Does.Contain("secure"));
        Assert.That(login.Headers.Contains("Strict-Transport-Security"), Is.True);
    }

    [Test]
    public async Task ABadTrustedProxiesEntry_StopsStartup_NamingTheVariable()
    {
        var failure = await Assert.CatchAsync(async () =>
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["TRUSTED_PROXIES"] = "10.0.0.0/8, railway" });
        });
        Assert.That(failure!.ToString(), Does.Contain("TRUSTED_PROXIES").And.Contain("railway"));
    }
}
