using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>
/// Logins live in PostgreSQL (F4): logout, the person or an admin end them at once, a copied cookie dies with them, and
/// they survive restarts and work across replicas.
/// </summary>
public sealed class LoginSessionTests
{
    private HybridFlowApp _app = null!;
    private long _tenant;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Sessions Tenant" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    /// <summary>What a thief copies out of a browser: the cookies of a login answer and the CSRF token among them.</summary>
    private sealed record CopiedCookies(string CookieHeader, string CsrfToken);

    private static async Task<CopiedCookies> LoginAndCopyAsync(HybridFlowApp app, string email, string? password = null)
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/auth/login", new { email, password = password ?? UserSessions.DefaultPassword });
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        var cookies = response.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).ToList();
        var csrf = cookies.Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal))["XSRF-TOKEN=".Length..];
        return new CopiedCookies(string.Join("; ", cookies), Uri.UnescapeDataString(csrf));
    }

    private static Task<HttpResponseMessage> SendWithAsync(HybridFlowApp app, CopiedCookies copy, HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Add("Cookie", copy.CookieHeader);
        request.Headers.Add("X-XSRF-TOKEN", copy.CsrfToken);
        if (body is not null) request.Content = JsonContent.Create(body);
        return app.CreateClient().SendAsync(request);
    }

    private static async Task<int> StatusOfMeAsync(HttpClient client) => (int)(await client.GetAsync("/api/auth/me")).StatusCode;

    private static async Task<JsonElement[]> ListSessionsAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/auth/sessions");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray()];
    }

    [Test]
    public async Task Logout_KillsACopiedCookie_AtOnce_ForReadsAndWrites()
    {
        var email = NewEmail("ana");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "tenant_admin");
        var copy = await LoginAndCopyAsync(_app, email);
        var browser = _app.CreateClient();
        browser.DefaultRequestHeaders.Add("Cookie", copy.CookieHeader);
        browser.DefaultRequestHeaders.Add("X-XSRF-TOKEN", copy.CsrfToken);
        Assert.That((int)(await SendWithAsync(_app, copy, HttpMethod.Get, "/api/auth/me")).StatusCode, Is.EqualTo(200), "the copy works while logged in");
        var patchBefore = await SendWithAsync(_app, copy, HttpMethod.Patch, $"/api/tenants/{_tenant}", new { name = "Renamed by the copy" });
        Assert.That((int)patchBefore.StatusCode, Is.EqualTo(200), await patchBefore.Content.ReadAsStringAsync());

        var logout = await browser.PostAsync("/api/auth/logout", null);

        Assert.That((int)logout.StatusCode, Is.EqualTo(204));
        Assert.That((int)(await SendWithAsync(_app, copy, HttpMethod.Get, "/api/auth/me")).StatusCode, Is.EqualTo(401), "the copied cookie is dead");
        var patchAfter = await SendWithAsync(_app, copy, HttpMethod.Patch, $"/api/tenants/{_tenant}", new { name = "Renamed after logout" });
        Assert.That((int)patchAfter.StatusCode, Is.EqualTo(401));
        Assert.That(await _app.ScalarAsync<string>("SELECT name FROM tenants WHERE id = $1", _tenant), Is.EqualTo("Renamed by the copy"));
    }

    [Test]
    public async Task TheCookie_CarriesAKeyOnly_AndTheStoreKeepsNoRawKeyOrReadableTicket()
    {
        var email = NewEmail("bia");
        var id = await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var copy = await LoginAndCopyAsync(_app, email);
        var cookie = copy.CookieHeader.Split("; ").Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal))["hybridflow_auth=".Length..];

        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM login_sessions WHERE user_id = $1", id), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync<string>("SELECT key_hash FROM login_sessions WHERE user_id = $1", id), Has.Length.EqualTo(64));
        var ticket = await _app.ScalarAsync<byte[]>("SELECT ticket FROM login_sessions WHERE user_id = $1", id);
        Assert.That(System.Text.Encoding.UTF8.GetString(ticket!), Does.Not.Contain("security_stamp").And.Not.Contain("user_id"), "the ticket is protected");
        Assert.That(cookie.Length, Is.LessThan(600), "the cookie holds a key, not the claims");
    }

    [Test]
    public async Task APerson_ListsTheirOwnSessions_EndsOne_ItDiesAtOnce_AndTheOtherLives()
    {
        var email = NewEmail("caio");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var laptop = await UserSessions.LoginAsync(_app, email);
        laptop.DefaultRequestHeaders.UserAgent.ParseAdd("Laptop/1.0");
        var phone = _app.CreateCookieClient();
        phone.DefaultRequestHeaders.UserAgent.ParseAdd("Phone/2.0");
        Assert.That((int)(await phone.PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword })).StatusCode, Is.EqualTo(200));

        var fromPhone = await ListSessionsAsync(phone);

        Assert.That(fromPhone, Has.Length.EqualTo(2));
        var phoneSession = fromPhone.Single(s => s.GetProperty("current").GetBoolean());
        var laptopSession = fromPhone.Single(s => !s.GetProperty("current").GetBoolean());
        Assert.That(phoneSession.GetProperty("user_agent").GetString(), Is.EqualTo("Phone/2.0"));
        Assert.That(phoneSession.TryGetProperty("created_at", out _) && phoneSession.TryGetProperty("last_seen_at", out _), Is.True);
        var listed = JsonSerializer.Serialize(fromPhone);
        Assert.That(listed, Does.Not.Contain("key").And.Not.Contain("address").And.Not.Contain("127.0.0.1").And.Not.Contain("ticket"));
        Assert.That((await ListSessionsAsync(laptop)).Single(s => s.GetProperty("current").GetBoolean()).GetProperty("id").GetInt64(),
            Is.EqualTo(laptopSession.GetProperty("id").GetInt64()), "each login sees itself as the current one");

        var end = await phone.DeleteAsync($"/api/auth/sessions/{laptopSession.GetProperty("id").GetInt64()}");

        Assert.That((int)end.StatusCode, Is.EqualTo(204), await end.Content.ReadAsStringAsync());
        Assert.That(await StatusOfMeAsync(laptop), Is.EqualTo(401), "the ended login is dead at once");
        Assert.That(await StatusOfMeAsync(phone), Is.EqualTo(200), "the other login goes on");
        Assert.That(await ListSessionsAsync(phone), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task AnotherPersonsSession_Is404_AndAnApiKeyHasNoSessions()
    {
        var (mine, theirs) = (NewEmail("davi"), NewEmail("eva"));
        await UserSessions.CreateUserAsync(_app, _tenant, mine, "tenant_admin");
        await UserSessions.CreateUserAsync(_app, _tenant, theirs, "agent");
        var me = await UserSessions.LoginAsync(_app, mine);
        var them = await UserSessions.LoginAsync(_app, theirs);
        var theirSession = (await ListSessionsAsync(them)).Single().GetProperty("id").GetInt64();

        Assert.That((int)(await me.DeleteAsync($"/api/auth/sessions/{theirSession}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await me.DeleteAsync("/api/auth/sessions/999999999")).StatusCode, Is.EqualTo(404));
        Assert.That(await StatusOfMeAsync(them), Is.EqualTo(200));
        Assert.That((int)(await _app.Admin.GetAsync("/api/auth/sessions")).StatusCode, Is.EqualTo(401), "a key is no person");
        Assert.That((int)(await _app.CreateClient().GetAsync("/api/auth/sessions")).StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task EndingTheCurrentSession_LogsThisBrowserOut()
    {
        var email = NewEmail("fabio");
        await UserSessions.CreateUserAsync(_app, _tenant, email, "agent");
        var client = await UserSessions.LoginAsync(_app, email);
        var current = (await ListSessionsAsync(client)).Single().GetProperty("id").GetInt64();

        Assert.That((int)(await client.DeleteAsync($"/api/auth/sessions/{current}")).StatusCode, Is.EqualTo(204));
        Assert.That(await StatusOfMeAsync(client), Is.EqualTo(401));
    }

    [Test]
    public async Task AnAdmin_EndsAUsersSessions_AndOnlyInTheirOwnTenant()
    {
        var (agent, admin) = (NewEmail("gil"), NewEmail("hugo"));
        var agentId = await UserSessions.CreateUserAsync(_app, _tenant, agent, "agent");
        await UserSessions.CreateUserAsync(_app, _tenant, admin, "tenant_admin");
        var first = await UserSessions.LoginAsync(_app, agent);
        var second = await UserSessions.LoginAsync(_app, agent);
        var tenantAdmin = await UserSessions.LoginAsync(_app, admin);
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Other Tenant" });
        var otherAdmin = NewEmail("iris");
        await UserSessions.CreateUserAsync(_app, otherTenant, otherAdmin, "tenant_admin");
        var stranger = await UserSessions.LoginAsync(_app, otherAdmin);

        Assert.That((int)(await stranger.DeleteAsync($"/api/tenants/{_tenant}/users/{agentId}/sessions")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await stranger.DeleteAsync($"/api/tenants/{otherTenant}/users/{agentId}/sessions")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await first.DeleteAsync($"/api/tenants/{_tenant}/users/{agentId}/sessions")).StatusCode, Is.EqualTo(403),
            "an agent ends no one's sessions");
        Assert.That(await StatusOfMeAsync(second), Is.EqualTo(200));

        var ended = await tenantAdmin.DeleteAsync($"/api/tenants/{_tenant}/users/{agentId}/sessions");

        Assert.That((int)ended.StatusCode, Is.EqualTo(204), await ended.Content.ReadAsStringAsync());
        Assert.That(await StatusOfMeAsync(first), Is.EqualTo(401));
        Assert.That(await StatusOfMeAsync(second), Is.EqualTo(401));
        Assert.That(await StatusOfMeAsync(tenantAdmin), Is.EqualTo(200), "the admin's own login goes on");

        var again = await UserSessions.LoginAsync(_app, agent);
        Assert.That((int)(await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{agentId}/sessions")).StatusCode, Is.EqualTo(204),
            "the platform admin ends any tenant's user's sessions");
        Assert.That(await StatusOfMeAsync(again), Is.EqualTo(401));
    }

    [TestCase("role")]
    [TestCase("password")]
    [TestCase("lock")]
    [TestCase("delete")]
    public async Task ChangingWhoAUserIs_EndsTheirSessions_AtOnce_NotAfterTheRevalidationInterval(string change)
    {
        var email = NewEmail("joao-" + change);
        var id = await UserSessions.CreateUserAsync(_app, _tenant, email, "tenant_admin");
        var client = await UserSessions.LoginAsync(_app, email);
        Assert.That(await StatusOfMeAsync(client), Is.EqualTo(200));

        var response = change switch
        {
            "role" => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{id}", new { role = "agent" }),
            "password" => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{id}", new { password = "a brand new passphrase" }),
            "lock" => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{id}", new { locked = true }),
            _ => await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{id}"),
        };

        Assert.That((int)response.StatusCode, Is.AnyOf(200, 204), await response.Content.ReadAsStringAsync());
        Assert.That(await StatusOfMeAsync(client), Is.EqualTo(401), "AUTH_REVALIDATE_SECONDS (60) has not passed: the store ended it");
    }

    [Test]
    public async Task SlidingExpiration_KeepsAnActiveSession_AndAnIdleOneExpires_AndIsCleanedUp()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenant, _) = await app.CreateTenantWithInstanceAsync();
        var (busy, idle) = (NewEmail("kai"), NewEmail("lia"));
        await UserSessions.CreateUserAsync(app, tenant, busy, "agent");
        var idleId = await UserSessions.CreateUserAsync(app, tenant, idle, "agent");
        var busyClient = await UserSessions.LoginAsync(app, busy);
        var idleClient = await UserSessions.LoginAsync(app, idle);

        app.Clock.Advance(TimeSpan.FromHours(5));
        Assert.That(await StatusOfMeAsync(busyClient), Is.EqualTo(200), "5 of 8 idle hours: renewed");
        app.Clock.Advance(TimeSpan.FromHours(5));

        Assert.That(await StatusOfMeAsync(busyClient), Is.EqualTo(200), "10 hours after login, 5 after it was last used");
        Assert.That(await StatusOfMeAsync(idleClient), Is.EqualTo(401), "10 idle hours: expired");
        using var cron = new HttpRequestMessage(HttpMethod.Post, "/cron/auto-resume");
        cron.Headers.Add("X-Cron-Secret", HybridFlowApp.CronSecret);
        Assert.That((int)(await app.Client.SendAsync(cron)).StatusCode, Is.EqualTo(200));
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM login_sessions WHERE user_id = $1", idleId), Is.EqualTo(0),
            "the expired row, with its address, is gone");
        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM login_sessions"), Is.EqualTo(1));
    }

    [Test]
    public async Task TwoInstancesOnOneDatabase_ShareSessions_AndALogoutOnOneEndsItOnTheOther()
    {
        var database = await TestEnvironment.Postgres.CreateDatabaseAsync();
        await using var a = await HybridFlowApp.StartAsync(sharedDatabase: database);
        await using var b = await HybridFlowApp.StartAsync(sharedDatabase: database);
        await Task.WhenAll(a.Client.GetAsync("/health"), b.Client.GetAsync("/health"));
        var copy = await LoginAndCopyAsync(a, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);
        Assert.That((int)(await SendWithAsync(b, copy, HttpMethod.Get, "/api/auth/me")).StatusCode, Is.EqualTo(200), "B reads A's login");

        Assert.That((int)(await SendWithAsync(b, copy, HttpMethod.Post, "/api/auth/logout")).StatusCode, Is.EqualTo(204));

        Assert.That((int)(await SendWithAsync(a, copy, HttpMethod.Get, "/api/auth/me")).StatusCode, Is.EqualTo(401), "logged out on B, dead on A");
    }

    [Test]
    public async Task OverRealHttp_TheSourceAddressIsStored_AndNeverLogged()
    {
        var database = await TestEnvironment.Postgres.CreateDatabaseAsync();
        await using var api = await ApiProcess.StartAsync(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = database,
            ["ADMIN_API_KEY"] = HybridFlowApp.AdminKey,
            ["SECRETS_ENCRYPTION_KEY"] = HybridFlowApp.EncryptionKey,
            ["LLM_PROVIDER"] = "static",
            ["LOG_LEVEL"] = "debug",
            ["ADMIN_EMAIL"] = HybridFlowApp.PlatformAdminEmail,
            ["ADMIN_PASSWORD"] = HybridFlowApp.PlatformAdminPassword,
        });
        var startupLog = api.Output;
        using var client = await UserSessions.LoginAsync(api.BaseAddress, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);
        Assert.That((int)(await client.GetAsync("/api/auth/sessions")).StatusCode, Is.EqualTo(200));

        await using (var connection = new Npgsql.NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("SELECT host(source_address), user_agent FROM login_sessions", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.That(await reader.ReadAsync(), Is.True);
            Assert.That(reader.GetString(0), Is.EqualTo("127.0.0.1"));
        }
        Assert.That((int)(await client.PostAsync("/api/auth/logout", null)).StatusCode, Is.EqualTo(204));
        // The last request's line: the lines checked below were written before it.
        await HybridFlowApp.EventuallyAsync(() => api.Output[startupLog.Length..].Contains("/api/auth/logout", StringComparison.Ordinal), "the logout request logged");

        var requestLog = api.Output[startupLog.Length..];
        Assert.That(requestLog, Does.Contain("/api/auth/sessions"), "the requests were logged at all");
        Assert.That(requestLog, Does.Not.Contain("127.0.0.1"), "the source address is personal data");
    }

    [Test]
    public async Task ARestart_KeepsSessions()
    {
        await using var first = await HybridFlowApp.StartAsync();
        var copy = await LoginAndCopyAsync(first, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);
        await using var second = await HybridFlowApp.StartAsync(sharedDatabase: first.ConnectionString);
        await first.DisposeAsync();

        Assert.That((int)(await SendWithAsync(second, copy, HttpMethod.Get, "/api/auth/me")).StatusCode, Is.EqualTo(200));
    }
}
