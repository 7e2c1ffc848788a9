using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>POST /api/auth/login, the cookie it sets, /me and logout.</summary>
[NonParallelizable]
public sealed class LoginTests
{
    private HybridFlowApp _app = null!;
    private long _tenant;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Login Tenant" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private static Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    [Test]
    public async Task Login_AnswersTheUser_AndSetsAnHttpOnlyLaxCookie_AndAReadableCsrfCookie()
    {
        var email = NewEmail("ana");
        var id = await UserSessions.CreateUserAsync(_app, _tenant, email, "agent", displayName: "Ana");
        var client = _app.CreateCookieClient();

        var response = await PostLoginAsync(client, email, UserSessions.DefaultPassword);

        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        var user = JsonDocument.Parse(body).RootElement;
        Assert.That(user.GetProperty("id").GetInt64(), Is.EqualTo(id));
        Assert.That(user.GetProperty("tenant_id").GetInt64(), Is.EqualTo(_tenant));
        Assert.That(user.GetProperty("email").GetString(), Is.EqualTo(email));
        Assert.That(user.GetProperty("display_name").GetString(), Is.EqualTo("Ana"));
        Assert.That(user.GetProperty("role").GetString(), Is.EqualTo("agent"));
        Assert.That(user.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(body, Does.Not.Contain("password").And.Not.Contain("stamp"));

        var setCookies = response.Headers.GetValues("Set-Cookie").ToList();
        var auth = setCookies.Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.That(auth, Does.Contain("httponly").And.Contain("samesite=lax").And.Contain("path=/"));
        Assert.That(auth, Does.Not.Contain("secure"), "plain http: no Secure flag (SameAsRequest)");
        var csrf = setCookies.Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal)).ToLowerInvariant();
        Assert.That(csrf, Does.Not.Contain("httponly"), "the page's script reads it");

        var me = await client.GetAsync("/api/auth/me");
        Assert.That((int)me.StatusCode, Is.EqualTo(200));
        Assert.That((await me.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64(), Is.EqualTo(id));
    }
}
