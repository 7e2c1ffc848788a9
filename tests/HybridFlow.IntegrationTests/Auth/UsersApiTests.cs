using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>/api/tenants/{id}/users: who may manage users, the field rules, and changes that end a user's logins.</summary>
public sealed class UsersApiTests
{
    private HybridFlowApp _app = null!;
    private long _tenantA;
    private long _tenantB;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        // Every request re-checks the cookie against the user, so the tests need not wait for the minute.
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["AUTH_REVALIDATE_SECONDS"] = "0" });
        (_tenantA, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Users A" });
        (_tenantB, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Users B" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private async Task<(long Id, string Email, HttpClient Client)> TenantAdminAsync(long tenantId)
    {
        var email = NewEmail("admin");
        var id = await UserSessions.CreateUserAsync(_app, tenantId, email, "tenant_admin");
        return (id, email, await UserSessions.LoginAsync(_app, email));
    }

    [Test]
    public async Task Create_Answers201WithTheUser_AndStoresOnlyAHash()
    {
        var email = NewEmail("ana");
        var response = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users",
            new { email, display_name = "Ana", role = "agent", password = UserSessions.DefaultPassword });

        var user = await ReadAsync(response, 201);
        var id = user.GetProperty("id").GetInt64();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/tenants/{_tenantA}/users/{id}"));
        Assert.That(user.GetProperty("tenant_id").GetInt64(), Is.EqualTo(_tenantA));
        Assert.That(user.GetProperty("email").GetString(), Is.EqualTo(email));
        Assert.That(user.GetProperty("display_name").GetString(), Is.EqualTo("Ana"));
        Assert.That(user.GetProperty("role").GetString(), Is.EqualTo("agent"));
        Assert.That(user.GetProperty("created_at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(user.EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "id", "tenant_id", "email", "display_name", "role", "locked_until", "created_at" }));
        var hash = await _app.ScalarAsync<string>("SELECT password_hash FROM users WHERE id = $1", id);
        Assert.That(hash, Is.Not.Null.And.Not.Contain(UserSessions.DefaultPassword));
        Assert.That(await _app.ScalarAsync<bool>("SELECT lockout_enabled FROM users WHERE id = $1", id), Is.True, "new users can be locked out too");
    }

    [Test]
    public async Task Create_RefusesATakenEmail_InAnyTenant_AndAnyCase_With409()
    {
        var email = NewEmail("bia");
        await UserSessions.CreateUserAsync(_app, _tenantA, email, "agent");

        var again = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantB}/users",
            new { email = email.ToUpperInvariant(), display_name = "Bia", role = "agent", password = UserSessions.DefaultPassword });

        var problem = await ReadAsync(again, 409);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("email"));
        Assert.That(problem.ToString(), Does.Not.Contain(email), "the answer does not echo the email");
    }

    [Test]
    public async Task Create_ByATenantAdmin_OfAnEmailHeldInAnotherTenant_Is409_WithoutSayingItExists()
    {
        var elsewhere = NewEmail("held-elsewhere");
        await UserSessions.CreateUserAsync(_app, _tenantB, elsewhere, "agent");
        var mine = NewEmail("held-here");
        await UserSessions.CreateUserAsync(_app, _tenantA, mine, "agent");
        var (_, _, admin) = await TenantAdminAsync(_tenantA);

        async Task<JsonElement> CreateAsync(string email) => await ReadAsync(await admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users",
            new { email, display_name = "X", role = "agent", password = UserSessions.DefaultPassword }), 409);

        var otherTenants = await CreateAsync(elsewhere);
        var platformAdmins = await CreateAsync(HybridFlowApp.PlatformAdminEmail);
        var ownTenants = await CreateAsync(mine);

        Assert.That(otherTenants.GetProperty("detail").GetString(), Is.EqualTo("This email cannot be used; choose another address."));
        Assert.That(platformAdmins.GetProperty("detail").GetString(), Is.EqualTo(otherTenants.GetProperty("detail").GetString()),
            "another tenant's user and a platform admin are refused alike");
        Assert.That(otherTenants.ToString(), Does.Not.Contain("exists"));
        Assert.That(ownTenants.GetProperty("detail").GetString(), Does.Contain("already exists"), "in the caller's own tenant it may say so");
    }

    [Test]
    public async Task Create_RefusesBadFields_With400NamingThem()
    {
        async Task<JsonElement> ErrorsAsync(object body) =>
            (await ReadAsync(await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users", body), 400)).GetProperty("errors");

        var weak = await ErrorsAsync(new { email = NewEmail("c"), display_name = "C", role = "agent", password = "short" });
        Assert.That(weak.TryGetProperty("password", out _), Is.True, weak.ToString());
        var platform = await ErrorsAsync(new { email = NewEmail("c"), display_name = "C", role = "platform_admin", password = UserSessions.DefaultPassword });
        Assert.That(platform.TryGetProperty("role", out _), Is.True, platform.ToString());
        var notEmail = await ErrorsAsync(new { email = "not-an-email", display_name = "C", role = "agent", password = UserSessions.DefaultPassword });
        Assert.That(notEmail.TryGetProperty("email", out _), Is.True, notEmail.ToString());
        var missing = await ErrorsAsync(new { });
        Assert.That(missing.EnumerateObject().Select(p => p.Name), Is.SupersetOf(new[] { "email", "role", "password" }));
        Assert.That((int)(await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users",
            new { email = NewEmail("c"), role = "agent", password = UserSessions.DefaultPassword, is_admin = true })).StatusCode, Is.EqualTo(400));

        // Ten characters are enough: no composition rules (NIST).
        var plain = await _app.Admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users", new { email = NewEmail("d"), role = "agent", password = "aaaaaaaaaa" });
        Assert.That((await ReadAsync(plain, 201)).GetProperty("display_name").GetString(), Does.StartWith("d-"), "the email's local part stands in for a name");
    }

    [Test]
    public async Task List_ShowsTheTenantsUsersOnly_WithoutSecrets()
    {
        var inA = await UserSessions.CreateUserAsync(_app, _tenantA, NewEmail("list-a"), "agent");
        var inB = await UserSessions.CreateUserAsync(_app, _tenantB, NewEmail("list-b"), "agent");

        var response = await _app.Admin.GetAsync($"/api/tenants/{_tenantA}/users");

        var body = await response.Content.ReadAsStringAsync();
        var ids = JsonDocument.Parse(body).RootElement.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetInt64()).ToList();
        Assert.That(ids, Does.Contain(inA).And.Not.Contain(inB));
        Assert.That(ids, Is.Ordered);
        Assert.That(body, Does.Not.Contain("AQAAAA").And.Not.Contain("password").And.Not.Contain("stamp"));
    }

    [Test]
    public async Task TenantAdminUser_ManagesItsOwnTenant_AndSeesNoOther()
    {
        var (_, _, admin) = await TenantAdminAsync(_tenantA);
        var userB = await UserSessions.CreateUserAsync(_app, _tenantB, NewEmail("other"), "agent");

        var created = await ReadAsync(await admin.PostAsJsonAsync($"/api/tenants/{_tenantA}/users",
            new { email = NewEmail("new"), display_name = "New", role = "agent", password = UserSessions.DefaultPassword }), 201);
        var id = created.GetProperty("id").GetInt64();
        var renamed = await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { display_name = "Renamed", role = "tenant_admin" }), 200);
        Assert.That((renamed.GetProperty("display_name").GetString(), renamed.GetProperty("role").GetString()), Is.EqualTo(("Renamed", "tenant_admin")));
        await ReadAsync(await admin.GetAsync($"/api/tenants/{_tenantA}/users"), 200);

        await ReadAsync(await admin.GetAsync($"/api/tenants/{_tenantB}/users"), 404);
        await ReadAsync(await admin.PostAsJsonAsync($"/api/tenants/{_tenantB}/users",
            new { email = NewEmail("x"), role = "agent", password = UserSessions.DefaultPassword }), 404);
        await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantB}/users/{userB}", new { display_name = "X" }), 404);
        await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{userB}", new { display_name = "X" }), 404);
        await ReadAsync(await admin.DeleteAsync($"/api/tenants/{_tenantA}/users/{userB}"), 404);
        await ReadAsync(await admin.DeleteAsync($"/api/tenants/{_tenantB}/users/{userB}"), 404);
        Assert.That(await _app.ScalarAsync<string>("SELECT display_name FROM users WHERE id = $1", userB), Does.StartWith("other-"), "nothing changed in the other tenant");
    }

    [Test]
    public async Task Agents_MayNotManageUsers_403()
    {
        var agentEmail = NewEmail("agent");
        await UserSessions.CreateUserAsync(_app, _tenantA, agentEmail, "agent");
        var agent = await UserSessions.LoginAsync(_app, agentEmail);
        var agentKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantA, "agent"));

        foreach (var client in new[] { agent, agentKey })
        {
            await ReadAsync(await client.GetAsync($"/api/tenants/{_tenantA}/users"), 403);
            await ReadAsync(await client.PostAsJsonAsync($"/api/tenants/{_tenantA}/users",
                new { email = NewEmail("x"), role = "agent", password = UserSessions.DefaultPassword }), 403);
        }
        await ReadAsync(await agentKey.GetAsync($"/api/tenants/{_tenantB}/users"), 404);
    }

    [Test]
    public async Task ATenantAdmin_CannotDeleteDemoteOrLockThemselves_409()
    {
        var (id, _, admin) = await TenantAdminAsync(_tenantA);

        var demote = await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { role = "agent" }), 409);
        Assert.That(demote.GetProperty("detail").GetString(), Does.Contain("your own role"));
        await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { locked = true }), 409);
        var delete = await ReadAsync(await admin.DeleteAsync($"/api/tenants/{_tenantA}/users/{id}"), 409);
        Assert.That(delete.GetProperty("detail").GetString(), Does.Contain("your own account"));

        var renamed = await ReadAsync(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { display_name = "Me", role = "tenant_admin" }), 200);
        Assert.That(renamed.GetProperty("display_name").GetString(), Is.EqualTo("Me"));
        await ReadAsync(await admin.GetAsync("/api/auth/me"), 200);
    }

    [Test]
    public async Task PasswordReset_EndsTheOldLogin_AndOnlyTheNewPasswordWorks()
    {
        var email = NewEmail("reset");
        var id = await UserSessions.CreateUserAsync(_app, _tenantA, email, "tenant_admin");
        var before = await UserSessions.LoginAsync(_app, email);
        await ReadAsync(await before.GetAsync("/api/auth/me"), 200);

        var weak = await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { password = "short" }), 400);
        Assert.That(weak.GetProperty("errors").TryGetProperty("password", out _), Is.True);
        await ReadAsync(await before.GetAsync("/api/auth/me"), 200);

        const string newPassword = "a brand new passphrase";
        await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { password = newPassword }), 200);

        await ReadAsync(await before.GetAsync("/api/auth/me"), 401);
        await ReadAsync(await before.GetAsync($"/api/tenants/{_tenantA}"), 401);
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword }), 401);
        var after = await UserSessions.LoginAsync(_app, email, newPassword);
        await ReadAsync(await after.GetAsync("/api/auth/me"), 200);
    }

    [Test]
    public async Task ANewRole_OrALock_EndsTheUsersLogin()
    {
        var email = NewEmail("rerole");
        var id = await UserSessions.CreateUserAsync(_app, _tenantA, email, "tenant_admin");
        var session = await UserSessions.LoginAsync(_app, email);
        await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { role = "agent" }), 200);
        await ReadAsync(await session.GetAsync("/api/auth/me"), 401);

        var asAgent = await UserSessions.LoginAsync(_app, email);
        Assert.That((await ReadAsync(await asAgent.GetAsync("/api/auth/me"), 200)).GetProperty("role").GetString(), Is.EqualTo("agent"));
        var locked = await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}/users/{id}", new { locked = true }), 200);
        Assert.That(locked.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.String));
        await ReadAsync(await asAgent.GetAsync("/api/auth/me"), 401);
        var refused = await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword });
        var problem = await ReadAsync(refused, 429);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("ask an admin"));
        Assert.That(refused.Headers.GetValues("Retry-After").Single(), Is.EqualTo("86400"));
    }

    [Test]
    public async Task Delete_EndsTheLogin_AndTheUserIsGone()
    {
        var email = NewEmail("gone");
        var id = await UserSessions.CreateUserAsync(_app, _tenantA, email, "agent");
        var session = await UserSessions.LoginAsync(_app, email);

        var delete = await _app.Admin.DeleteAsync($"/api/tenants/{_tenantA}/users/{id}");

        await ReadAsync(delete, 204);
        await ReadAsync(await session.GetAsync("/api/auth/me"), 401);
        await ReadAsync(await _app.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email, password = UserSessions.DefaultPassword }), 401);
        await ReadAsync(await _app.Admin.DeleteAsync($"/api/tenants/{_tenantA}/users/{id}"), 404);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM users WHERE id = $1", id), Is.EqualTo(0));
        await UserSessions.CreateUserAsync(_app, _tenantB, email, "agent"); // the email is free again
    }

    [Test]
    public async Task ThePlatformAdminUser_CreatesATenantsFirstAdmin_WhoCanLogIn()
    {
        var (tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Fresh Tenant" });
        var platform = await UserSessions.LoginAsync(_app, HybridFlowApp.PlatformAdminEmail);
        var email = NewEmail("first");

        await ReadAsync(await platform.PostAsJsonAsync($"/api/tenants/{tenant}/users",
            new { email, display_name = "First", role = "tenant_admin", password = UserSessions.DefaultPassword }), 201);

        var first = await UserSessions.LoginAsync(_app, email);
        var me = await ReadAsync(await first.GetAsync("/api/auth/me"), 200);
        Assert.That((me.GetProperty("tenant_id").GetInt64(), me.GetProperty("role").GetString()), Is.EqualTo((tenant, "tenant_admin")));
        await ReadAsync(await platform.GetAsync("/api/tenants/999999/users"), 404);
    }
}
