using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>/api/users: the platform admin manages users without a tenant (other platform admins included); nobody else may.</summary>
public sealed class PlatformUsersTests
{
    private HybridFlowApp _app = null!;
    private readonly List<HttpClient> _clients = [];

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(realHttp: true);

    [OneTimeTearDown]
    public async Task StopApp()
    {
        foreach (var client in _clients) client.Dispose();
        await _app.DisposeAsync();
    }

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@hybridflow.test";

    private HttpClient From(System.Net.IPAddress source)
    {
        var client = SourceAddressClients.Create(_app.RealAddress!, source);
        _clients.Add(client);
        return client;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(status), body);
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }

    private async Task<long> CreatePlatformAdminAsync(string email) =>
        (await ReadAsync(await _app.Admin.PostAsJsonAsync("/api/users",
            new { email, display_name = "Second admin", role = "platform_admin", password = UserSessions.DefaultPassword }), 201)).GetProperty("id").GetInt64();

    private static Task<HttpResponseMessage> LoginAsync(HttpClient client, string email, string password) =>
        client.PostAsJsonAsync("/api/auth/login", new { email, password });

    [Test]
    public async Task APlatformAdminUser_UnlocksAndResetsAnotherPlatformAdmin_ThrottledAndLocked()
    {
        var other = NewEmail("second-admin");
        var otherId = await CreatePlatformAdminAsync(other);
        var admin = From(SourceAddressClients.First);
        await ReadAsync(await LoginAsync(admin, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword), 200);
        var attacker = From(SourceAddressClients.Second);
        for (var i = 0; i < 5; i++) await LoginAsync(attacker, other, "wrong password " + i);
        await ReadAsync(await LoginAsync(attacker, other, UserSessions.DefaultPassword), 429);
        var locked = await ReadAsync(await admin.PatchAsJsonAsync($"/api/users/{otherId}", new { locked = true }), 200);
        Assert.That(locked.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.String));
        var refused = await ReadAsync(await LoginAsync(From(SourceAddressClients.Third), other, UserSessions.DefaultPassword), 429);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("ask an admin"));

        const string newPassword = "a brand new passphrase";
        var reset = await ReadAsync(await admin.PatchAsJsonAsync($"/api/users/{otherId}", new { locked = false, password = newPassword }), 200);

        Assert.That(reset.GetProperty("locked_until").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(reset.GetProperty("role").GetString(), Is.EqualTo("platform_admin"));
        await ReadAsync(await LoginAsync(attacker, other, newPassword), 200);
        await ReadAsync(await LoginAsync(attacker, other, UserSessions.DefaultPassword), 401);
        var fetched = await ReadAsync(await admin.GetAsync($"/api/users/{otherId}"), 200);
        Assert.That(fetched.GetProperty("email").GetString(), Is.EqualTo(other));
        var listed = await ReadAsync(await _app.Admin.GetAsync("/api/users"), 200);
        Assert.That(listed.GetProperty("items").EnumerateArray().Select(u => u.GetProperty("id").GetInt64()), Does.Contain(otherId));
    }

    [Test]
    public async Task OnlyThePlatformAdmin_MayUseIt_AndTenantUsersAreNotFoundThere()
    {
        var otherId = await CreatePlatformAdminAsync(NewEmail("third-admin"));
        var (tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Not the platform" });
        var tenantAdminKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenant, "tenant_admin"));
        var tenantUserEmail = NewEmail("tenant-admin");
        var tenantUserId = await UserSessions.CreateUserAsync(_app, tenant, tenantUserEmail, "tenant_admin");
        var tenantUser = From(SourceAddressClients.First);
        await ReadAsync(await LoginAsync(tenantUser, tenantUserEmail, UserSessions.DefaultPassword), 200);

        await ReadAsync(await tenantAdminKey.GetAsync($"/api/users/{otherId}"), 403);
        await ReadAsync(await tenantAdminKey.PatchAsJsonAsync($"/api/users/{otherId}", new { locked = false }), 403);
        await ReadAsync(await tenantAdminKey.PostAsJsonAsync("/api/users", new { email = NewEmail("x"), password = UserSessions.DefaultPassword }), 403);
        await ReadAsync(await tenantUser.PatchAsJsonAsync($"/api/users/{otherId}", new { password = "taken over by a tenant" }), 403);
        await ReadAsync(await tenantUser.DeleteAsync($"/api/users/{otherId}"), 403);
        await ReadAsync(await _app.CreateClient().GetAsync($"/api/users/{otherId}"), 401);
        await ReadAsync(await _app.Admin.GetAsync($"/api/users/{tenantUserId}"), 404);
        await ReadAsync(await _app.Admin.PatchAsJsonAsync($"/api/users/{otherId}", new { role = "tenant_admin" }), 400);
    }

    [Test]
    public async Task APlatformAdmin_CannotLockOrDeleteThemselves_ButDeletesAnother()
    {
        var otherId = await CreatePlatformAdminAsync(NewEmail("fourth-admin"));
        var admin = From(SourceAddressClients.First);
        await ReadAsync(await LoginAsync(admin, HybridFlowApp.PlatformAdminEmail, HybridFlowApp.PlatformAdminPassword), 200);
        var me = (await ReadAsync(await admin.GetAsync("/api/auth/me"), 200)).GetProperty("id").GetInt64();

        await ReadAsync(await admin.PatchAsJsonAsync($"/api/users/{me}", new { locked = true }), 409);
        await ReadAsync(await admin.DeleteAsync($"/api/users/{me}"), 409);
        await ReadAsync(await admin.DeleteAsync($"/api/users/{otherId}"), 204);
        await ReadAsync(await admin.GetAsync($"/api/users/{otherId}"), 404);
    }
}
