using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Auth;

/// <summary>What a logged-in person may do by role: the same tenant isolation as keys, and agents kept to the inbox.</summary>
public sealed class UserRolesTests
{
    private HybridFlowApp _app = null!;
    private long _tenantA;
    private long _tenantB;
    private string _instanceB = "";
    private long _sessionA;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        string instanceA;
        (_tenantA, instanceA) = await _app.CreateTenantWithInstanceAsync(new { name = "Roles A" });
        (_tenantB, _instanceB) = await _app.CreateTenantWithInstanceAsync(new { name = "Roles B" });
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instanceA, Payloads.CustomerText(chat, "Oi"));
        _sessionA = (await _app.GetSessionAsync(instanceA, chat)).GetProperty("id").GetInt64();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<HttpClient> LoginAsAsync(long tenantId, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}@padaria.example";
        await UserSessions.CreateUserAsync(_app, tenantId, email, role);
        return await UserSessions.LoginAsync(_app, email);
    }

    [Test]
    public async Task AnAgentUser_Gets403_OutsideAuthAndInbox()
    {
        var agent = await LoginAsAsync(_tenantA, "agent");

        foreach (var path in new[] { "/api/tenants", $"/api/tenants/{_tenantA}", "/api/sessions", $"/api/sessions/{_sessionA}", "/api/instances" })
        {
            var response = await agent.GetAsync(path);
            Assert.That((int)response.StatusCode, Is.EqualTo(403), path);
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), path);
        }
        Assert.That((int)(await agent.PostAsync($"/api/sessions/{_sessionA}/pause", null)).StatusCode, Is.EqualTo(403));
        Assert.That((int)(await agent.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await agent.GetAsync("/api/inbox/conversations")).StatusCode, Is.Not.EqualTo(403), "the inbox is theirs");
        Assert.That(await _app.ScalarAsync<bool>("SELECT is_paused FROM sessions WHERE id = $1", _sessionA), Is.False);
    }

    [Test]
    public async Task AnAgentApiKey_KeepsWhatItsRoleAllows()
    {
        var agentKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantA, "agent"));

        Assert.That((int)(await agentKey.GetAsync($"/api/sessions/{_sessionA}")).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ATenantAdminUser_ChangesItsTenant_AndCannotSeeAnother()
    {
        var admin = await LoginAsAsync(_tenantA, "tenant_admin");

        var patch = await admin.PatchAsJsonAsync($"/api/tenants/{_tenantA}", new { system_prompt = "Seja breve." });
        Assert.That((int)patch.StatusCode, Is.EqualTo(200), await patch.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<string>("SELECT system_prompt FROM tenants WHERE id = $1", _tenantA), Is.EqualTo("Seja breve."));

        var tenants = await admin.GetFromJsonAsync<JsonElement>("/api/tenants");
        Assert.That(tenants.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()), Is.EqualTo(new[] { _tenantA }));
        Assert.That((int)(await admin.GetAsync($"/api/tenants/{_tenantB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await admin.PatchAsJsonAsync($"/api/tenants/{_tenantB}", new { system_prompt = "x" })).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await admin.GetAsync($"/api/instances?tenant_id={_tenantB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await admin.GetAsync($"/api/sessions/{_sessionA}")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await admin.PostAsJsonAsync("/api/tenants", new { name = "Mine now" })).StatusCode, Is.EqualTo(403), "only the platform admin creates tenants");
    }

    [Test]
    public async Task ThePlatformAdminUser_SeesEveryTenant()
    {
        var platform = await UserSessions.LoginAsync(_app, HybridFlowApp.PlatformAdminEmail);

        var me = await platform.GetFromJsonAsync<JsonElement>("/api/auth/me");
        Assert.That(me.GetProperty("role").GetString(), Is.EqualTo("platform_admin"));
        Assert.That(me.GetProperty("tenant_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
        var tenants = await platform.GetFromJsonAsync<JsonElement>("/api/tenants");
        Assert.That(tenants.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()), Is.SupersetOf(new[] { _tenantA, _tenantB }));
        Assert.That((int)(await platform.GetAsync($"/sessions/{_instanceB}/{Payloads.NewChatId()}")).StatusCode, Is.EqualTo(404), "an unknown chat, not a refusal");
    }

    [Test]
    public async Task AnApiKeyHeader_WinsOverTheCookie()
    {
        var agent = await LoginAsAsync(_tenantA, "agent");
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
        request.Headers.Add("X-Api-Key", HybridFlowApp.AdminKey);
        Assert.That((int)(await agent.SendAsync(request)).StatusCode, Is.EqualTo(200), "the key decides, not the agent's cookie");

        var wrongKey = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        wrongKey.Headers.Add("X-Api-Key", "hf_not-a-key");
        Assert.That((int)(await agent.SendAsync(wrongKey)).StatusCode, Is.EqualTo(401), "a bad key is not rescued by the cookie");
    }
}
