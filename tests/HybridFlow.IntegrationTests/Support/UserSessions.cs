using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>People for tests: users created through the API with the admin key, and logged-in browser-like clients.</summary>
public static class UserSessions
{
    public const string DefaultPassword = "correct horse battery staple";

    /// <summary>Creates a tenant_admin or agent user through POST /api/tenants/{id}/users (admin key); answers the user's id.</summary>
    public static async Task<long> CreateUserAsync(HybridFlowApp app, long tenantId, string email, string role, string? password = null, string? displayName = null)
    {
        var response = await app.Admin.PostAsJsonAsync($"/api/tenants/{tenantId}/users",
            new { email, display_name = displayName ?? email.Split('@')[0], role, password = password ?? DefaultPassword });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>
    /// Logs in through POST /api/auth/login; answers a client (disposed with the app) that carries the auth cookie and
    /// sends X-XSRF-TOKEN on every unsafe request.
    /// </summary>
    public static async Task<HttpClient> LoginAsync(HybridFlowApp app, string email, string? password = null)
    {
        var client = app.CreateCookieClient();
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = password ?? DefaultPassword });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return client;
    }

    /// <summary>
    /// The same for an API running as its own process (ApiProcess): a real HTTP client with a cookie jar. The caller
    /// disposes it.
    /// </summary>
    public static async Task<HttpClient> LoginAsync(Uri baseAddress, string email, string? password = null)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new CsrfEchoHandler(cookies, send: true) { InnerHandler = new HttpClientHandler { CookieContainer = cookies } })
        {
            BaseAddress = baseAddress,
        };
        var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = password ?? DefaultPassword });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return client;
    }
}

/// <summary>What the inbox page's script does: copies the XSRF-TOKEN cookie into the X-XSRF-TOKEN header of unsafe requests.</summary>
public sealed class CsrfEchoHandler : DelegatingHandler
{
    private readonly CookieContainer _cookies;
    private readonly bool _send;

    public CsrfEchoHandler(CookieContainer cookies, bool send)
    {
        _cookies = cookies;
        _send = send;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var method = request.Method;
        var unsafeMethod = method != HttpMethod.Get && method != HttpMethod.Head && method != HttpMethod.Options && method != HttpMethod.Trace;
        if (_send && unsafeMethod && request.RequestUri is { } uri && _cookies.GetCookies(uri)["XSRF-TOKEN"] is { } token
            && !request.Headers.Contains("X-XSRF-TOKEN"))
            request.Headers.Add("X-XSRF-TOKEN", token.Value);
        return base.SendAsync(request, cancellationToken);
    }
}
