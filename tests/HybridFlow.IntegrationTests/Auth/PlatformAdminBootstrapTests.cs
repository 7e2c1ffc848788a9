using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>ADMIN_EMAIL + ADMIN_PASSWORD at startup, and the login cookie across replicas and restarts.</summary>
public sealed class PlatformAdminBootstrapTests
{
    private static async Task<JsonElement> MeAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/auth/me");
        Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Test]
    public async Task Startup_CreatesThePlatformAdminUser_AndARestartLeavesItAlone()
    {
        await using var first = await HybridFlowApp.StartAsync();
        var me = await MeAsync(await UserSessions.LoginAsync(first, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword));
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo("platform_admin"));
        Assert.That(me.GetProperty("tenant_id").ValueKind, Is.EqualTo(JsonValueKind.Null));

        // The same email with another password on the next start: nothing changes, the first password still works.
        await using var restarted = await HybridFlowApp.StartAsync(
            new Dictionary<string, string?> { ["ADMIN_PASSWORD"] = "a different long password" }, sharedDatabase: first.ConnectionString);
        Assert.That(await restarted.ScalarAsync<long>("SELECT count(*) FROM users"), Is.EqualTo(1));
        await UserSessions.LoginAsync(restarted, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword);
        var refused = await restarted.CreateCookieClient().PostAsJsonAsync("/api/auth/login",
            new { email = HybridFlowApp.PlatformAdminEmail, password = "a different long password" });
        Assert.That((int)refused.StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task WithoutAdminEmail_NoUserIsCreated()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["ADMIN_EMAIL"] = null, ["ADMIN_PASSWORD"] = null });

        Assert.That(await app.ScalarAsync<long>("SELECT count(*) FROM users"), Is.EqualTo(0));
    }

    [Test]
    public async Task TwoReplicasStartingTogether_CreateOneUser_AndReadEachOthersCookies()
    {
        var database = await TestEnvironment.Postgres.CreateDatabaseAsync();
        var starts = await Task.WhenAll(HybridFlowApp.StartAsync(sharedDatabase: database), HybridFlowApp.StartAsync(sharedDatabase: database));
        await using var a = starts[0];
        await using var b = starts[1];
        // The host starts with the first request in WebApplicationFactory: make both start at once.
        await Task.WhenAll(a.Client.GetAsync("/health"), b.Client.GetAsync("/health"));

        Assert.That(await a.ScalarAsync<long>("SELECT count(*) FROM users WHERE role = 'platform_admin'"), Is.EqualTo(1));

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Add("Cookie", AuthCookieOf(await LoginResponseAsync(a)));
        var onB = await b.CreateClient().SendAsync(request);
        Assert.That((int)onB.StatusCode, Is.EqualTo(200), "replica B reads replica A's cookie: one key ring in the database");

        var keys = await a.ScalarAsync<string>("SELECT string_agg(xml, '') FROM data_protection_keys");
        Assert.That(keys, Does.Contain("enc:v2:").And.Not.Contain("masterKey"), "the key ring is stored encrypted");
    }

    private static async Task<HttpResponseMessage> LoginResponseAsync(HybridFlowApp app) =>
        await app.CreateCookieClient().PostAsJsonAsync("/api/auth/login",
            new { email = HybridFlowApp.PlatformAdminEmail, password = HybridFlowApp.PlatformAdminPassword });

    private static string AuthCookieOf(HttpResponseMessage login) =>
        login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("hybridflow_auth=", StringComparison.Ordinal)).Split(';')[0];

    [Test]
    public async Task ARestart_KeepsUsersLoggedIn()
    {
        await using var first = await HybridFlowApp.StartAsync();
        var cookie = AuthCookieOf(await LoginResponseAsync(first));
        await using var second = await HybridFlowApp.StartAsync(sharedDatabase: first.ConnectionString);
        await first.DisposeAsync();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        request.Headers.Add("Cookie", cookie);
        Assert.That((int)(await second.CreateClient().SendAsync(request)).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ATooWeakAdminPassword_StopsStartup_WithoutShowingIt()
    {
        const string weak = "short1";
        var environment = new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = await TestEnvironment.Postgres.CreateDatabaseAsync(),
            ["ADMIN_API_KEY"] = HybridFlowApp.AdminKey,
            ["SECRETS_ENCRYPTION_KEY"] = HybridFlowApp.EncryptionKey,
            ["LLM_PROVIDER"] = "openai",
            ["OPENAI_API_KEY"] = "sk-test",
            ["OPENAI_MODEL"] = "gpt-test",
            ["ADMIN_EMAIL"] = "owner@padaria.example",
            ["ADMIN_PASSWORD"] = weak,
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(async () => await ApiProcess.StartAsync(environment));

        Assert.That(failure!.Message, Does.Contain("The API exited"));
        Assert.That(failure.Message, Does.Contain("ADMIN_PASSWORD is too weak").And.Contain("10"));
        Assert.That(failure.Message, Does.Not.Contain(weak).And.Not.Contain("owner@padaria.example"));
    }

    [Test]
    public async Task AdminPasswordReset_SetsThePasswordAndUnlocks_Once_UntilADifferentAdminPasswordIsGiven()
    {
        await using var first = await HybridFlowApp.StartAsync();
        var id = await first.ScalarAsync<long>("SELECT id FROM users WHERE role = 'platform_admin'");
        var changed = await first.Admin.PatchAsJsonAsync($"/api/users/{id}", new { password = "changed by someone 1", locked = true });
        Assert.That((int)changed.StatusCode, Is.EqualTo(200), await changed.Content.ReadAsStringAsync());
        for (var i = 0; i < 5; i++)
            await first.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email = HybridFlowApp.PlatformAdminEmail, password = "guess " + i });
        await first.DisposeAsync();

        const string resetTo = "reset at startup 22";
        var reset = new Dictionary<string, string?> { ["ADMIN_PASSWORD_RESET"] = "true", ["ADMIN_PASSWORD"] = resetTo };
        await using (var second = await HybridFlowApp.StartAsync(reset, sharedDatabase: first.ConnectionString))
        {
            var client = await UserSessions.LoginAsync(second, HybridFlowApp.PlatformAdminEmail, resetTo);
            Assert.That((await MeAsync(client)).GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.Null), "unlocked, throttle cleared");
            var changedAgain = await second.Admin.PatchAsJsonAsync($"/api/users/{id}", new { password = "changed after the reset 3" });
            Assert.That((int)changedAgain.StatusCode, Is.EqualTo(200));
        }

        await using (var third = await HybridFlowApp.StartAsync(reset, sharedDatabase: first.ConnectionString))
        {
            await UserSessions.LoginAsync(third, HybridFlowApp.PlatformAdminEmail, "changed after the reset 3");
            var old = await third.CreateCookieClient().PostAsJsonAsync("/api/auth/login", new { email = HybridFlowApp.PlatformAdminEmail, password = resetTo });
            Assert.That((int)old.StatusCode, Is.EqualTo(401), "a restart with the flag still set does not undo a later change");
        }

        reset["ADMIN_PASSWORD"] = "another reset value 44";
        await using var fourth = await HybridFlowApp.StartAsync(reset, sharedDatabase: first.ConnectionString);
        await UserSessions.LoginAsync(fourth, HybridFlowApp.PlatformAdminEmail, "another reset value 44");
    }

    [Test]
    public async Task AdminPasswordReset_OfATenantUsersEmail_StopsStartup()
    {
        await using var first = await HybridFlowApp.StartAsync();
        var (tenant, _) = await first.CreateTenantWithInstanceAsync();
        const string email = "tenant-person@padaria.example";
        await UserSessions.CreateUserAsync(first, tenant, email, "tenant_admin");

        var failure = await Assert.CatchAsync(async () =>
        {
            await using var app = await HybridFlowApp.StartAsync(
                new Dictionary<string, string?> { ["ADMIN_EMAIL"] = email, ["ADMIN_PASSWORD_RESET"] = "true" }, sharedDatabase: first.ConnectionString);
        });
        Assert.That(failure!.ToString(), Does.Contain("ADMIN_PASSWORD_RESET").And.Contain("not a platform admin"));
    }
}
