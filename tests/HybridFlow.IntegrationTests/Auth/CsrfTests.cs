using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>Cookie calls that change state need X-XSRF-TOKEN equal to the XSRF-TOKEN cookie; API keys never do.</summary>
public sealed class CsrfTests
{
    private HybridFlowApp _app = null!;
    private long _tenant;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Csrf Tenant" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static object NewUser() => new { email = $"u-{Guid.NewGuid():N}@padaria.example", display_name = "U", role = "agent", password = UserSessions.DefaultPassword };

    private async Task<HttpClient> LoginWithoutCsrfHeaderAsync(string email)
    {
        var client = _app.CreateCookieClient(sendCsrfHeader: false);
        var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword });
        Assert.That((int)login.StatusCode, Is.EqualTo(200), "login itself needs no token");
        return client;
    }

    private static async Task AssertCsrfRefusedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(403), body);
        Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("title").GetString(), Is.EqualTo("CSRF check failed"));
    }

    [Test]
    public async Task CookiePost_WithTheToken_Works()
    {
        var client = await UserSessions.LoginAsync(_app, HybridFlowApp.PlatformAdminEmail);

        var response = await client.PostAsJsonAsync($"/api/tenants/{_tenant}/users", NewUser());

        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task CookiePost_WithoutTheToken_Is403()
    {
        var client = await LoginWithoutCsrfHeaderAsync(HybridFlowApp.PlatformAdminEmail);

        await AssertCsrfRefusedAsync(await client.PostAsJsonAsync($"/api/tenants/{_tenant}/users", NewUser()));
        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenant}/users")).StatusCode, Is.EqualTo(200), "reads need no token");
    }

    [Test]
    public async Task CookiePatch_WithAWrongToken_Is403_AndChangesNothing()
    {
        var client = await LoginWithoutCsrfHeaderAsync(HybridFlowApp.PlatformAdminEmail);
        var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/tenants/{_tenant}") { Content = JsonContent.Create(new { name = "Hijacked" }) };
        request.Headers.Add("X-XSRF-TOKEN", "CfDJ8-not-the-token");

        await AssertCsrfRefusedAsync(await client.SendAsync(request));
        Assert.That(await _app.ScalarAsync<string>("SELECT name FROM tenants WHERE id = $1", _tenant), Is.EqualTo("Csrf Tenant"));
    }

    [Test]
    public async Task AnotherUsersToken_IsRefused()
    {
        var email = $"admin-{Guid.NewGuid():N}@padaria.example";
        await UserSessions.CreateUserAsync(_app, _tenant, email, "tenant_admin");
        var other = _app.CreateCookieClient();
        await other.PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword });
        var otherToken = await CsrfTokenOfAsync(other);
        var client = await LoginWithoutCsrfHeaderAsync(HybridFlowApp.PlatformAdminEmail);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/tenants/{_tenant}/users") { Content = JsonContent.Create(NewUser()) };
        request.Headers.Add("X-XSRF-TOKEN", otherToken);

        await AssertCsrfRefusedAsync(await client.SendAsync(request));
    }

    [Test]
    public async Task ApiKeyCalls_NeverNeedTheToken()
    {
        var response = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenant}/users", NewUser());
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());

        var key = await _app.CreateApiKeyAsync(_tenant, "tenant_admin");
        var tenantKey = _app.ClientWithKey(key);
        Assert.That((int)(await tenantKey.PostAsJsonAsync($"/api/tenants/{_tenant}/users", NewUser())).StatusCode, Is.EqualTo(201));
    }

    /// <summary>The XSRF-TOKEN value the server hands out on /me.</summary>
    private static async Task<string> CsrfTokenOfAsync(HttpClient client)
    {
        var me = await client.GetAsync("/api/auth/me");
        Assert.That((int)me.StatusCode, Is.EqualTo(200));
        var cookie = me.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal));
        return Uri.UnescapeDataString(cookie.Split(';')[0]["XSRF-TOKEN=".Length..]);
    }
}
