using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>
/// One-time links to choose a password (issue 22): a user invited without a password, an admin's reset by link, the
/// link's page API, and who may make links. A fixture's tests run one at a time, so moving its clock disturbs no other.
/// </summary>
public sealed class PasswordLinkTests
{
    private const string ChosenPassword = "a password chosen on the link";

    private HybridFlowApp _app = null!;
    private long _tenantA;
    private long _tenantB;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        // Every request re-checks the cookie against the user, so ended logins show at once.
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["AUTH_REVALIDATE_SECONDS"] = "0" });
        (_tenantA, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Links A" });
        (_tenantB, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Links B" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private async Task<(long Id, string Email, string Token)> InviteAsync(HttpClient by, long tenantId, string role = "agent")
    {
        var email = NewEmail("invited");
        var invited = await ReadAsync(await by.PostAsJsonAsync($"/api/tenants/{tenantId}/users/invite", new { email, display_name = "Bia", role }), 201);
        return (invited.GetProperty("user").GetProperty("id").GetInt64(), email, invited.GetProperty("password_link").GetProperty("token").GetString()!);
    }

    private Task<HttpResponseMessage> LookUpAsync(string token) =>
        _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link", new { token });

    private async Task<JsonElement> ListedAsync(long tenantId, long userId) =>
        (await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}/users")).GetProperty("items").EnumerateArray()
            .Single(u => u.GetProperty("id").GetInt64() == userId);

    [Test]
    public async Task Invite_MakesAUserWithoutAPassword_AndALinkShownOnce_StoredOnlyAsItsHash()
    {
        var email = NewEmail("bia");
        var response = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users/invite", new { email, display_name = "Bia", role = "agent" });

        var invited = await ReadAsync(response, 201);
        var user = invited.GetProperty("user");
        var id = user.GetProperty("id").GetInt64();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/tenants/{_tenantA}/users/{id}"));
        Assert.That((user.GetProperty("email").GetString(), user.GetProperty("role").GetString()), Is.EqualTo((email, "agent")));
        var link = invited.GetProperty("password_link");
        var token = link.GetProperty("token").GetString()!;
        Assert.That(token, Has.Length.GreaterThanOrEqualTo(43), "256 random bits");
        Assert.That(link.GetProperty("path").GetString(), Is.EqualTo("/#/welcome/" + token), "the token rides in the fragment, never in a request line");
        Assert.That(link.GetProperty("purpose").GetString(), Is.EqualTo("welcome"));
        Assert.That(link.GetProperty("expires_at").GetDateTimeOffset(), Is.EqualTo(_app.Clock.GetUtcNow().AddHours(72)).Within(TimeSpan.FromMinutes(1)));

        Assert.That(await _app.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = $1", id), Is.Null, "no password until the person chooses one");
        var stored = await _app.ScalarAsync<string>("SELECT row_to_json(l)::text FROM password_links l WHERE user_id = $1", id);
        Assert.That(stored, Does.Contain(Sha256(token)).And.Not.Contain(token), "only the token's SHA-256 is stored");

        var listed = await ListedAsync(_tenantA, id);
        Assert.That(listed.GetProperty("state").GetString(), Is.EqualTo("pending"));
        Assert.That(listed.GetProperty("link_expires_at").GetDateTimeOffset(), Is.EqualTo(link.GetProperty("expires_at").GetDateTimeOffset()));
        var users = await (await _app.Admin.GetAsync($"/api/tenants/{_tenantA}/users")).Content.ReadAsStringAsync();
        Assert.That(users, Does.Not.Contain(token), "the list never shows a link again");

        // Without a password no password logs in, not even an empty-looking one.
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = "anything at all" }), 401);
    }

    [Test]
    public async Task TheLink_TellsWhomItIsFor_SetsThePassword_LogsIn_AndWorksOnce()
    {
        var (id, email, token) = await InviteAsync(_app.Admin, _tenantA);

        var info = await ReadAsync(await LookUpAsync(token), 200);
        Assert.That((info.GetProperty("email").GetString(), info.GetProperty("display_name").GetString(), info.GetProperty("purpose").GetString()),
            Is.EqualTo((email, "Bia", "welcome")));

        var browser = _app.CreateCookieClient();
        var used = await ReadAsync(await browser.PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword }), 200);
        Assert.That(used.GetProperty("id").GetInt64(), Is.EqualTo(id));
        var me = await ReadAsync(await browser.GetAsync("/api/auth/me"), 200);
        Assert.That(me.GetProperty("email").GetString(), Is.EqualTo(email), "choosing the password logged the person in");

        var again = await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = "another password entirely" }), 404);
        Assert.That(again.GetProperty("detail").GetString(), Does.Contain("used already").And.Not.Contain(token));
        await ReadAsync(await LookUpAsync(token), 404);
        await UserSessions.LoginAsync(_app, email, ChosenPassword);
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = "another password entirely" }), 401);
        Assert.That((await ListedAsync(_tenantA, id)).GetProperty("state").GetString(), Is.EqualTo("active"));
    }

    [Test]
    public async Task TwoUsesAtOnce_OnlyOneSucceeds()
    {
        var (_, _, token) = await InviteAsync(_app.Admin, _tenantA);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
            _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword + i })));

        Assert.That(answers.Select(a => (int)a.StatusCode).Order(), Is.EqualTo(new[] { 200, 404, 404, 404 }));
    }

    [Test]
    public async Task AWeakPassword_IsRefused_AndLeavesTheLinkWorking()
    {
        var (_, email, token) = await InviteAsync(_app.Admin, _tenantA);

        var weak = await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = "short" }), 400);
        Assert.That(weak.GetProperty("errors").TryGetProperty("password", out _), Is.True, weak.ToString());
        var missing = await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { }), 400);
        Assert.That(missing.GetProperty("errors").EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "token", "password" }));

        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword }), 200);
        await UserSessions.LoginAsync(_app, email, ChosenPassword);
    }

    [Test]
    public async Task TheLink_ExpiresAfter72Hours()
    {
        var (_, _, token) = await InviteAsync(_app.Admin, _tenantA);
        var (_, _, fresh) = await InviteAsync(_app.Admin, _tenantA);
        await ReadAsync(await LookUpAsync(fresh), 200);

        _app.Clock.Advance(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1));
        try
        {
            await ReadAsync(await LookUpAsync(token), 404);
            await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword }), 404);
        }
        finally
        {
            _app.Clock.Advance(-(TimeSpan.FromHours(72) + TimeSpan.FromMinutes(1)));
        }
        await ReadAsync(await LookUpAsync(fresh), 200);
    }

    [Test]
    public async Task AReset_StopsTheOldPassword_EndsTheLogins_AndReplacesEarlierLinks()
    {
        var email = NewEmail("carla");
        var id = await UserSessions.CreateUserAsync(_app, _tenantA, email, "agent");
        var loggedIn = await UserSessions.LoginAsync(_app, email);

        var first = await ReadAsync(await _app.Admin.PostAsync($"/api/tenants/{_tenantA}/users/{id}/password-link", null), 200);
        Assert.That(first.GetProperty("purpose").GetString(), Is.EqualTo("reset"));
        await ReadAsync(await loggedIn.GetAsync("/api/auth/me"), 401);
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword }), 401);
        Assert.That((await ListedAsync(_tenantA, id)).GetProperty("state").GetString(), Is.EqualTo("pending"));

        var second = await ReadAsync(await _app.Admin.PostAsync($"/api/tenants/{_tenantA}/users/{id}/password-link", null), 200);
        Assert.That(second.GetProperty("purpose").GetString(), Is.EqualTo("welcome"), "still no password: the person is welcomed again");
        await ReadAsync(await LookUpAsync(first.GetProperty("token").GetString()!), 404);

        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password",
            new { token = second.GetProperty("token").GetString(), password = ChosenPassword }), 200);
        await UserSessions.LoginAsync(_app, email, ChosenPassword);
    }

    [Test]
    public async Task ALockedUser_CannotUseTheLink_UntilUnlocked()
    {
        var (id, email, token) = await InviteAsync(_app.Admin, _tenantA);
        await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { locked = true }), 200);

        var locked = await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword }), 409);
        Assert.That(locked.GetProperty("detail").GetString(), Does.Contain("locked"));

        await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { locked = false }), 200);
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/password-link/password", new { token, password = ChosenPassword }), 200);
        await UserSessions.LoginAsync(_app, email, ChosenPassword);
    }

    [Test]
    public async Task ATenantAdmin_MakesLinksForItsOwnTenantOnly_AndNeverAPlatformAdmin()
    {
        var adminEmail = NewEmail("admin-a");
        var adminId = await UserSessions.CreateUserAsync(_app, _tenantA, adminEmail, "tenant_admin");
        var admin = await UserSessions.LoginAsync(_app, adminEmail);
        var (ownUser, _, _) = await InviteAsync(admin, _tenantA);
        var (otherUser, _, _) = await InviteAsync(_app.Admin, _tenantB);

        await ReadAsync(await admin.PostAsJsonAsync($"/api/tenants/{_tenantB}/users/invite", new { email = NewEmail("x"), role = "agent" }), 404);
        await ReadAsync(await admin.PostAsync($"/api/tenants/{_tenantB}/users/{otherUser}/password-link", null), 404);
        await ReadAsync(await admin.PostAsync($"/api/tenants/{_tenantA}/users/{otherUser}/password-link", null), 404);
        await ReadAsync(await admin.PostAsync($"/api/tenants/{_tenantA}/users/{ownUser}/password-link", null), 200);

        var escalation = await ReadAsync(await admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users/invite",
            new { email = NewEmail("boss"), role = "platform_admin" }), 400);
        Assert.That(escalation.GetProperty("errors").TryGetProperty("role", out _), Is.True);
        await ReadAsync(await admin.PostAsJsonAsync("/api/users/invite", new { email = NewEmail("boss") }), 403);
        var platformEmail = NewEmail("platform");
        var platform = await ReadAsync(await _app.Admin.PostAsJsonAsync("/api/users/invite", new { email = platformEmail }), 201);
        await ReadAsync(await admin.PostAsync($"/api/users/{platform.GetProperty("user").GetProperty("id").GetInt64()}/password-link", null), 403);

        var self = await ReadAsync(await admin.PostAsync($"/api/tenants/{_tenantA}/users/{adminId}/password-link", null), 409);
        Assert.That(self.GetProperty("detail").GetString(), Does.Contain("your own"));
        await ReadAsync(await admin.GetAsync("/api/auth/me"), 200);
    }

    [Test]
    public async Task AnAgent_MakesNoLinks()
    {
        var agentEmail = NewEmail("agent");
        await UserSessions.CreateUserAsync(_app, _tenantA, agentEmail, "agent");
        var agent = await UserSessions.LoginAsync(_app, agentEmail);
        var (someone, _, _) = await InviteAsync(_app.Admin, _tenantA);

        await ReadAsync(await agent.PostAsJsonAsync($"/api/tenants/{_tenantA}/users/invite", new { email = NewEmail("x"), role = "agent" }), 403);
        await ReadAsync(await agent.PostAsync($"/api/tenants/{_tenantA}/users/{someone}/password-link", null), 403);
    }

    [Test]
    public async Task ThePlatformAdmin_InvitesPlatformAdmins_WhoChooseAPassword_AndEndsTheirSessions()
    {
        var email = NewEmail("ops");
        var invited = await ReadAsync(await _app.Admin.PostAsJsonAsync("/api/users/invite", new { email, display_name = "Ops" }), 201);
        var user = invited.GetProperty("user");
        Assert.That((user.GetProperty("role").GetString(), user.GetProperty("tenant_id").ValueKind), Is.EqualTo(("platform_admin", JsonValueKind.Null)));
        var listed = (await _app.Admin.GetFromJsonAsync<JsonElement>("/api/users")).GetProperty("items").EnumerateArray()
            .Single(u => u.GetProperty("id").GetInt64() == user.GetProperty("id").GetInt64());
        Assert.That(listed.GetProperty("state").GetString(), Is.EqualTo("pending"));
        var wrongRole = await ReadAsync(await _app.Admin.PostAsJsonAsync("/api/users/invite", new { email = NewEmail("x"), role = "agent" }), 400);
        Assert.That(wrongRole.GetProperty("errors").TryGetProperty("role", out _), Is.True);

        var browser = _app.CreateCookieClient();
        await ReadAsync(await browser.PostAsJsonAsync("/api/auth/password-link/password",
            new { token = invited.GetProperty("password_link").GetProperty("token").GetString(), password = ChosenPassword }), 200);
        await ReadAsync(await browser.GetAsync("/api/users"), 200);

        await ReadAsync(await _app.Admin.DeleteAsync($"/api/users/{user.GetProperty("id").GetInt64()}/sessions"), 204);
        await ReadAsync(await browser.GetAsync("/api/auth/me"), 401);
    }

    [Test]
    public async Task TheSession_AnswersLoggedOutWith200_WhileMeKeeps401()
    {
        var anonymous = await ReadAsync(await _app.CreateCookieClient().GetAsync("/api/auth/session"), 200);
        Assert.That(anonymous.GetProperty("authenticated").GetBoolean(), Is.False);
        Assert.That(anonymous.GetProperty("user").ValueKind, Is.EqualTo(JsonValueKind.Null));
        await ReadAsync(await _app.CreateCookieClient().GetAsync("/api/auth/me"), 401);
        var key = await ReadAsync(await _app.Admin.GetAsync("/api/auth/session"), 200);
        Assert.That(key.GetProperty("authenticated").GetBoolean(), Is.False, "an API key is no person");

        var email = NewEmail("dora");
        await UserSessions.CreateUserAsync(_app, _tenantA, email, "agent");
        var browser = await UserSessions.LoginAsync(_app, email);
        var session = await ReadAsync(await browser.GetAsync("/api/auth/session"), 200);
        Assert.That(session.GetProperty("authenticated").GetBoolean(), Is.True);
        Assert.That(session.GetProperty("user").GetProperty("email").GetString(), Is.EqualTo(email));
    }

    [Test]
    public async Task TheKeysList_NamesWhoMadeEachKey()
    {
        var email = NewEmail("eva");
        await UserSessions.CreateUserAsync(_app, _tenantA, email, "tenant_admin", displayName: "Eva Maker");
        var maker = await UserSessions.LoginAsync(_app, email);
        var made = await ReadAsync(await maker.PostAsJsonAsync($"/api/tenants/{_tenantA}/api-keys", new { name = "by eva", role = "agent" }), 201);
        var byAdminKey = await ReadAsync(await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/api-keys", new { name = "by the platform key", role = "agent" }), 201);

        var listing = await maker.GetAsync($"/api/tenants/{_tenantA}/api-keys");
        var raw = await listing.Content.ReadAsStringAsync();
        var keys = (await ReadAsync(listing, 200)).EnumerateArray().ToList();
        var evas = keys.Single(k => k.GetProperty("id").GetInt64() == made.GetProperty("id").GetInt64());
        Assert.That(evas.GetProperty("created_by_name").GetString(), Is.EqualTo("Eva Maker"));
        Assert.That(evas.GetProperty("created_by_user_id").ValueKind, Is.EqualTo(JsonValueKind.Number));
        var platform = keys.Single(k => k.GetProperty("id").GetInt64() == byAdminKey.GetProperty("id").GetInt64());
        Assert.That(platform.GetProperty("created_by_name").ValueKind, Is.EqualTo(JsonValueKind.Null), "ADMIN_API_KEY is no person");
        Assert.That(raw, Does.Not.Contain(made.GetProperty("key").GetString()!), "never the key itself");
    }
}

/// <summary>The one-time link's token never reaches the logs: not on making it, looking it up, or using it.</summary>
[NonParallelizable] // a log capture gets the lines of every test running beside it (Support/ConsoleCapture)
public sealed class PasswordLinkLoggingTests
{
    [Test]
    public async Task TheToken_AndThePasswordChosen_AreNeverLogged()
    {
        const string chosen = "the passphrase chosen on the link";
        var capture = new ConsoleCapture();
        string token;
        string resetToken;
        try
        {
            await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LOG_LEVEL"] = "debug" });
            var (tenant, _) = await app.CreateTenantWithInstanceAsync();
            var invited = await app.Admin.PostAsJsonAsync($"/api/tenants/{tenant}/users/invite", new { email = $"logs-{Guid.NewGuid():N}@padaria.example", role = "agent" });
            var body = await invited.Content.ReadFromJsonAsync<JsonElement>();
            token = body.GetProperty("password_link").GetProperty("token").GetString()!;
            var client = app.CreateCookieClient();
            await client.PostAsJsonAsync("/api/auth/password-link", new { token });
            await client.PostAsJsonAsync("/api/auth/password-link/password", new { token, password = "short" });
            Assert.That((int)(await client.PostAsJsonAsync("/api/auth/password-link/password", new { token, password = chosen })).StatusCode, Is.EqualTo(200));
            await client.PostAsJsonAsync("/api/auth/password-link/password", new { token, password = chosen });
            var reset = await app.Admin.PostAsync($"/api/tenants/{tenant}/users/{body.GetProperty("user").GetProperty("id").GetInt64()}/password-link", null);
            resetToken = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
            await client.GetAsync("/api/auth/session");
            await capture.UntilAsync(l => l.Contains("\"path\":\"/api/auth/session\"", StringComparison.Ordinal), "the last request");
        }
        finally
        {
            capture.Dispose();
        }

        var log = capture.Text;
        Assert.That(log, Does.Contain("/api/auth/password-link"), "the log is captured at all");
        foreach (var secret in new[] { token, resetToken, chosen })
            Assert.That(log, Does.Not.Contain(secret));
    }
}
