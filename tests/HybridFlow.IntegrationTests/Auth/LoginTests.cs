using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>POST /api/auth/login, the cookie it sets, /me and logout.</summary>
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

    [Test]
    public async Task WrongPassword_AndUnknownEmail_GetTheSame401()
    {
        var email = NewEmail("bia");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = _app.CreateCookieClient();

        var wrongPassword = await PostLoginAsync(client, email, "not the password at all");
        var unknownEmail = await PostLoginAsync(client, NewEmail("nobody"), "not the password at all");

        Assert.That((int)wrongPassword.StatusCode, Is.EqualTo(401));
        Assert.That((int)unknownEmail.StatusCode, Is.EqualTo(401));
        Assert.That(await unknownEmail.Content.ReadAsStringAsync(), Is.EqualTo(await wrongPassword.Content.ReadAsStringAsync()));
        Assert.That(wrongPassword.Headers.Contains("Set-Cookie"), Is.False, "no cookie for a failed login");
        Assert.That((int)(await client.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task FiveFailedLogins_FromOneAddress_Answer429ForAMinute_WithoutLockingTheAccount_AndAnAdminUnlockClearsIt()
    {
        var email = NewEmail("caio");
        var id = await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = _app.CreateCookieClient();
        for (var i = 0; i < 4; i++)
            Assert.That((int)(await PostLoginAsync(client, email, "wrong password " + i)).StatusCode, Is.EqualTo(401), $"failure {i + 1}");

        var fifth = await PostLoginAsync(client, email, "wrong password 5");
        var rightPassword = await PostLoginAsync(client, email, UserSessions.DefaultPassword);

        Assert.That((int)fifth.StatusCode, Is.EqualTo(429), "the fifth failure in 15 minutes blocks this email from this address");
        Assert.That((int)rightPassword.StatusCode, Is.EqualTo(429), "blocked: even the right password from this address waits");
        var retryAfter = int.Parse(rightPassword.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(retryAfter, Is.InRange(1, 60), "a minute at first");
        Assert.That(rightPassword.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var listed = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{_tenant}/users");
        var user = listed.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("id").GetInt64() == id);
        Assert.That(user.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "a stranger cannot lock the account");

        var unlock = await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{id}", new { locked = false });
        Assert.That((int)unlock.StatusCode, Is.EqualTo(200), await unlock.Content.ReadAsStringAsync());
        Assert.That((int)(await PostLoginAsync(client, email, UserSessions.DefaultPassword)).StatusCode, Is.EqualTo(200), "an unlock clears the throttles");
        Assert.That(await _app.ScalarAsync<int>("SELECT access_failed_count FROM users WHERE id = $1", id), Is.EqualTo(0));
    }

    [Test]
    public async Task AFailedLoginCount_IsClearedByASuccessfulOne()
    {
        var email = NewEmail("davi");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = _app.CreateCookieClient();
        for (var i = 0; i < 4; i++) await PostLoginAsync(client, email, "wrong password " + i);
        Assert.That((int)(await PostLoginAsync(client, email, UserSessions.DefaultPassword)).StatusCode, Is.EqualTo(200));

        for (var i = 0; i < 4; i++)
            Assert.That((int)(await PostLoginAsync(client, email, "wrong again " + i)).StatusCode, Is.EqualTo(401), "the count started over");
    }

    [Test]
    public async Task OverHttps_TheCookiesAreSecure()
    {
        var email = NewEmail("eva");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = _app.CreateCookieClient(baseAddress: new Uri("https://localhost"));

        var response = await PostLoginAsync(client, email, UserSessions.DefaultPassword);

        Assert.That((int)response.StatusCode, Is.EqualTo(200));
        var setCookies = response.Headers.GetValues("Set-Cookie").Select(c => c.ToLowerInvariant()).ToList();
        Assert.That(setCookies.Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)), Does.Contain("secure").And.Contain("httponly"));
        Assert.That(setCookies.Single(c => c.StartsWith("xsrf-token=", StringComparison.Ordinal)), Does.Contain("secure"));
    }

    [Test]
    public async Task WithoutACookie_ApiCallsAnswer401Json_NotARedirect()
    {
        foreach (var path in new[] { "/api/auth/me", "/api/tenants", $"/api/tenants/{_tenant}/users" })
        {
            var response = await _app.CreateCookieClient().GetAsync(path);
            Assert.That((int)response.StatusCode, Is.EqualTo(401), path);
            Assert.That(response.Headers.Location, Is.Null, path);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), path);
        }
    }

    [Test]
    public async Task Logout_ClearsTheCookie_AndItStopsWorking()
    {
        var email = NewEmail("fabio");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "tenant_admin");
        var client = await UserSessions.LoginAsync(_app, email);
        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenant}")).StatusCode, Is.EqualTo(200));

        var logout = await client.PostAsync("/api/auth/logout", null);

        Assert.That((int)logout.StatusCode, Is.EqualTo(204));
        Assert.That(logout.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)),
            Does.Contain("expires=Thu, 01 Jan 1970"));
        Assert.That((int)(await client.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(401));
        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenant}")).StatusCode, Is.EqualTo(401));
        Assert.That((int)(await _app.CreateCookieClient().PostAsync("/api/auth/logout", null)).StatusCode, Is.EqualTo(204),
            "logging out without a login is harmless");
    }

    [Test]
    public async Task Logout_WithTheCookie_NeedsTheCsrfToken()
    {
        var email = NewEmail("gil");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = _app.CreateCookieClient(sendCsrfHeader: false);
        await PostLoginAsync(client, email, UserSessions.DefaultPassword);

        Assert.That((int)(await client.PostAsync("/api/auth/logout", null)).StatusCode, Is.EqualTo(403), "a forged logout is refused");
        Assert.That((int)(await client.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Me_RefreshesTheCsrfCookie_AndAnApiKeyIsNoUser()
    {
        var email = NewEmail("hugo");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = await UserSessions.LoginAsync(_app, email);

        var me = await client.GetAsync("/api/auth/me");

        Assert.That(me.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal)), Is.True);
        Assert.That((int)(await _app.Admin.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(401), "the admin key is a machine, not a person");
    }

    [Test]
    public async Task BadLoginBodies_Are400_Or415()
    {
        var client = _app.CreateCookieClient();
        var empty = await client.PostAsJsonAsync("/api/auth/login", new { email = "", password = "" });
        Assert.That((int)empty.StatusCode, Is.EqualTo(400));
        var errors = (await empty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.That(errors.TryGetProperty("email", out _) && errors.TryGetProperty("password", out _), Is.True, errors.ToString());
        Assert.That((int)(await client.PostAsJsonAsync("/api/auth/login", new { email = "a@b.c", password = "x", remember = true })).StatusCode,
            Is.EqualTo(400), "unknown fields are refused like elsewhere");
        var form = await client.PostAsync("/api/auth/login",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = "a@b.c", ["password"] = "0123456789" }));
        Assert.That((int)form.StatusCode, Is.EqualTo(415), "a cross-site form cannot post a login");
    }

    [Test]
    public async Task UnauthenticatedLogins_ShareTheRateLimitOfTheirAddress()
    {
        await using var limited = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["RATE_LIMIT_API_PER_MINUTE"] = "5" });
        var statuses = new List<int>();
        for (var i = 0; i < 8; i++)
            statuses.Add((int)(await PostLoginAsync(limited.CreateCookieClient(), NewEmail("guess"), "guessing password " + i)).StatusCode);

        Assert.That(statuses.Take(5), Is.All.EqualTo(401));
        Assert.That(statuses.Skip(5), Is.All.EqualTo(429), "fresh clients from one address share one budget");
    }

    [Test]
    public async Task ALoggedInUser_HasARateLimitBudgetOfTheirOwn()
    {
        await using var limited = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["RATE_LIMIT_API_PER_MINUTE"] = "5" });
        var (tenant, _) = await limited.CreateTenantWithInstanceAsync(new { name = "Limited" });
        var (first, second) = (NewEmail("first"), NewEmail("second"));
        await UserSessions.CreateUserAsync(limited, tenant, first, "agent");
        await UserSessions.CreateUserAsync(limited, tenant, second, "agent");
        var a = await UserSessions.LoginAsync(limited, first);
        var b = await UserSessions.LoginAsync(limited, second);

        var statuses = new List<int>();
        for (var i = 0; i < 6; i++) statuses.Add((int)(await a.GetAsync("/api/auth/me")).StatusCode);

        Assert.That(statuses.Take(5), Is.All.EqualTo(200));
        Assert.That(statuses[5], Is.EqualTo(429));
        Assert.That((int)(await b.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(200), "another user is not held back");
    }

    [Test]
    public async Task ARealHttpClient_LogsInToAnApiProcess()
    {
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = await TestEnvironment.Postgres.CreateDatabaseAsync(),
            ["ADMIN_API_KEY"] = HybridFlowApp.AdminKey,
            ["SECRETS_ENCRYPTION_KEY"] = HybridFlowApp.EncryptionKey,
            ["LLM_PROVIDER"] = "static",
            ["ADMIN_EMAIL"] = HybridFlowApp.PlatformAdminEmail,
            ["ADMIN_PASSWORD"] = HybridFlowApp.PlatformAdminPassword,
        });
        using var client = await UserSessions.LoginAsync(api.BaseAddress, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);

        var created = await client.PostAsJsonAsync("/api/tenants", new { name = "Over real HTTP" });

        Assert.That((int)created.StatusCode, Is.EqualTo(201), await created.Content.ReadAsStringAsync());
    }
}
