using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>
/// An API key records who made it (F7), and a key made by a person stops working on the next request after that person
/// is deleted, locked by an admin, or demoted below the key's role.
/// </summary>
public sealed class ApiKeyMakerTests
{
    private HybridFlowApp _app = null!;
    private long _tenant;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Key Makers" });
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string NewEmail(string who) => $"{who}-{Guid.NewGuid():N}@padaria.example";

    private static async Task<JsonElement> CreateKeyAsync(HttpClient maker, long tenant, string role, string name = "made key")
    {
        var response = await maker.PostAsJsonAsync($"/api/tenants/{tenant}/api-keys", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), body);
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<int> StatusWithKeyAsync(JsonElement key) =>
        (int)(await _app.ClientWithKey(key.GetProperty("key").GetString()!).GetAsync($"/api/tenants/{_tenant}")).StatusCode;

    private async Task<JsonElement> ListedAsync(long keyId)
    {
        var keys = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{_tenant}/api-keys");
        return keys.EnumerateArray().Single(k => k.GetProperty("id").GetInt64() == keyId);
    }

    private async Task<(long UserId, HttpClient Client)> TenantAdminAsync(string who)
    {
        var email = NewEmail(who);
        var id = await UserSessions.CreateUserAsync(_app, _tenant, email, "tenant_admin");
        return (id, await UserSessions.LoginAsync(_app, email));
    }

    [TestCase("deleted")]
    [TestCase("locked")]
    [TestCase("demoted")]
    public async Task AKeyMadeByAUser_StopsWorking_OnTheNextRequestAfterTheUserIs(string change)
    {
        var (userId, maker) = await TenantAdminAsync("ana-" + change);
        var adminKey = await CreateKeyAsync(maker, _tenant, "tenant_admin");
        Assert.That(await StatusWithKeyAsync(adminKey), Is.EqualTo(200), "a tenant_admin user may mint a tenant_admin key");

        var response = change switch
        {
            "deleted" => await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{userId}"),
            "locked" => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { locked = true }),
            _ => await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { role = "agent" }),
        };
        Assert.That((int)response.StatusCode, Is.AnyOf(200, 204), await response.Content.ReadAsStringAsync());

        Assert.That(await StatusWithKeyAsync(adminKey), Is.EqualTo(401));
        Assert.That((await ListedAsync(adminKey.GetProperty("id").GetInt64())).GetProperty("created_by_user_id").GetInt64(), Is.EqualTo(userId),
            "the listing still shows who made it");
    }

    [Test]
    public async Task ADemotion_EndsOnlyTheKeysAboveTheNewRole_AndAnUnlockBringsKeysBack()
    {
        var (userId, maker) = await TenantAdminAsync("bia");
        var adminKey = await CreateKeyAsync(maker, _tenant, "tenant_admin");
        var agentKey = await CreateKeyAsync(maker, _tenant, "agent");

        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { role = "agent" });

        Assert.That(await StatusWithKeyAsync(adminKey), Is.EqualTo(401), "tenant_admin key of a user who is now an agent");
        Assert.That(await StatusWithKeyAsync(agentKey), Is.EqualTo(200), "the agent key is within the user's new role");

        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { role = "tenant_admin" });
        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { locked = true });
        Assert.That(await StatusWithKeyAsync(agentKey), Is.EqualTo(401), "locked");
        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { locked = false });
        Assert.That(await StatusWithKeyAsync(adminKey), Is.EqualTo(200), "the key stands on the user's access as it is now");
    }

    [Test]
    public async Task AKeyMadeByAUser_KeepsWorking_AfterUnrelatedChanges_AndAFailedLoginLockout()
    {
        var (userId, maker) = await TenantAdminAsync("caio");
        var key = await CreateKeyAsync(maker, _tenant, "tenant_admin");
        var otherId = await UserSessions.CreateUserAsync(_app, _tenant, NewEmail("other"), "tenant_admin");

        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { display_name = "Caio Renamed" });
        await _app.Admin.PatchAsJsonAsync($"/api/tenants/{_tenant}/users/{userId}", new { password = "a brand new passphrase" });
        await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{otherId}");
        // A lockout from failed logins (minutes) is no admin's lock: a guesser must not be able to switch a tenant's keys off.
        await _app.ScalarAsync<int>("UPDATE users SET lockout_end = now() + interval '15 minutes' WHERE id = $1 RETURNING 1", userId);

        Assert.That(await StatusWithKeyAsync(key), Is.EqualTo(200));
    }

    [Test]
    public async Task KeysMadeWithTheAdminApiKey_AreBoundToNoOne()
    {
        var key = await CreateKeyAsync(_app.Admin, _tenant, "tenant_admin");
        var (userId, _) = await TenantAdminAsync("davi");
        await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{userId}");

        Assert.That(await StatusWithKeyAsync(key), Is.EqualTo(200));
        var listed = await ListedAsync(key.GetProperty("id").GetInt64());
        Assert.That(listed.GetProperty("created_by_user_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(listed.GetProperty("created_by_key_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(listed.GetProperty("acts_for_user_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task TheListing_ShowsTheMaker_AndAKeyMadeByAUsersKey_IsBoundToThatUserToo()
    {
        var (userId, maker) = await TenantAdminAsync("eva");
        var first = await CreateKeyAsync(maker, _tenant, "tenant_admin", "made by Eva");
        var second = await CreateKeyAsync(_app.ClientWithKey(first.GetProperty("key").GetString()!), _tenant, "tenant_admin", "made by Eva's key");

        var firstListed = await ListedAsync(first.GetProperty("id").GetInt64());
        Assert.That(firstListed.GetProperty("created_by_user_id").GetInt64(), Is.EqualTo(userId));
        Assert.That(firstListed.GetProperty("created_by_key_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(firstListed.GetProperty("acts_for_user_id").GetInt64(), Is.EqualTo(userId));
        var secondListed = await ListedAsync(second.GetProperty("id").GetInt64());
        Assert.That(secondListed.GetProperty("created_by_user_id").ValueKind, Is.EqualTo(JsonValueKind.Null), "a key made it, not a person");
        Assert.That(secondListed.GetProperty("created_by_key_id").GetInt64(), Is.EqualTo(first.GetProperty("id").GetInt64()));
        Assert.That(secondListed.GetProperty("acts_for_user_id").GetInt64(), Is.EqualTo(userId), "no way around the binding through a second key");
        Assert.That(await StatusWithKeyAsync(second), Is.EqualTo(200));

        await _app.Admin.DeleteAsync($"/api/tenants/{_tenant}/users/{userId}");

        Assert.That(await StatusWithKeyAsync(first), Is.EqualTo(401));
        Assert.That(await StatusWithKeyAsync(second), Is.EqualTo(401));
    }
}
