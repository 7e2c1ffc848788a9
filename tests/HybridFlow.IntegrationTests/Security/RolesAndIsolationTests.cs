using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>Tenant keys: shown once, stored hashed, revocable; they see only their tenant, and agents only operate.</summary>
public sealed class RolesAndIsolationTests
{
    private HybridFlowApp _app = null!;
    private long _tenantA;
    private string _instanceA = "";
    private long _tenantB;
    private string _instanceB = "";
    private string _chatB = "";
    private long _sessionB;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenantA, _instanceA) = await _app.CreateTenantWithInstanceAsync(new { name = "Tenant A" });
        (_tenantB, _instanceB) = await _app.CreateTenantWithInstanceAsync(new { name = "Tenant B" });
        _chatB = Payloads.NewChatId();
        await _app.DeliverAsync(_instanceB, Payloads.CustomerText(_chatB, "Oi"));
        _sessionB = (await _app.GetSessionAsync(_instanceB, _chatB)).GetProperty("id").GetInt64();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<(long Id, string Key)> CreateKeyAsync(long tenantId, string role, HttpClient? as_ = null)
    {
        var response = await (as_ ?? _app.Admin).PostAsJsonAsync($"/api/tenants/{tenantId}/api-keys", new { name = $"{role} key", role });
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("role").GetString(), Is.EqualTo(role));
        return (body.GetProperty("id").GetInt64(), body.GetProperty("key").GetString()!);
    }

    private HttpClient ClientWith(string key)
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Test]
    public async Task TenantKey_IsShownOnce_StoredHashed_AndWorks()
    {
        var (id, key) = await CreateKeyAsync(_tenantA, "tenant_admin");
        Assert.That(key, Does.StartWith("hf_"));
        var list = await (await _app.Admin.GetAsync($"/api/tenants/{_tenantA}/api-keys")).Content.ReadAsStringAsync();
        Assert.That(list, Does.Not.Contain(key));
        Assert.That(list, Does.Contain($"\"id\":{id}"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM api_keys WHERE key_hash = $1", key), Is.EqualTo(0), "never stored in clear");

        using var client = ClientWith(key);
        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenantA}")).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task ATakenInstanceName_GetsTheSameAnswer_WhicheverTenantHoldsIt()
    {
        var (_, key) = await CreateKeyAsync(_tenantA, "tenant_admin");
        using var client = ClientWith(key);
        async Task<string> RefusedAnswer(string name)
        {
            var response = await client.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
            {
                ["instance_name"] = name, ["evo_server_url"] = "http://198.51.100.7:8080", ["evo_api_key"] = "key-123",
            });
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(409), body);
            return body.Replace(name, "NAME", StringComparison.Ordinal);
        }

        var ownName = await RefusedAnswer(_instanceA);
        Assert.That(await RefusedAnswer(_instanceB), Is.EqualTo(ownName), "another tenant's name is refused in the same words");
        Assert.That(ownName, Does.Contain("not available").And.Not.Contain("exists"));
    }

    [Test]
    public async Task TenantKey_SeesOnlyItsTenant_OtherTenantsIdsAre404()
    {
        var (_, key) = await CreateKeyAsync(_tenantA, "tenant_admin");
        using var client = ClientWith(key);

        var tenants = await client.GetFromJsonAsync<JsonElement>("/api/tenants");
        Assert.That(tenants.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("id").GetInt64()), Is.EqualTo(new[] { _tenantA }));
        Assert.That(tenants.GetProperty("total").GetInt64(), Is.EqualTo(1));

        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenantB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.GetAsync($"/api/instances?tenant_id={_tenantB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.GetAsync($"/api/sessions/{_sessionB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.PostAsync($"/api/sessions/{_sessionB}/pause", null)).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.GetAsync($"/sessions/{_instanceB}/{_chatB}")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.PostAsync($"/sessions/{_instanceB}/{_chatB}/resume", null)).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await client.PostAsJsonAsync($"/api/tenants/{_tenantB}/api-keys", new { name = "x", role = "agent" })).StatusCode, Is.EqualTo(404));

        var instances = await client.GetFromJsonAsync<JsonElement>("/api/instances");
        var items = instances.GetProperty("items").EnumerateArray().ToList();
        Assert.That(items.Select(i => i.GetProperty("tenant_id").GetInt64()), Is.All.EqualTo(_tenantA));
        Assert.That(items.Select(i => i.GetProperty("instance_name").GetString()), Does.Contain(_instanceA).And.Not.Contain(_instanceB));
        Assert.That((await _app.GetSessionAsync(_instanceB, _chatB)).GetProperty("is_paused").GetBoolean(), Is.False, "tenant B's chat untouched");
    }

    [Test]
    public async Task TenantAdmin_ManagesItsOwnTenant_ButCannotCreateTenants()
    {
        var (_, key) = await CreateKeyAsync(_tenantA, "tenant_admin");
        using var client = ClientWith(key);
        Assert.That((int)(await client.PostAsJsonAsync("/api/tenants", new { name = "Sneaky" })).StatusCode, Is.EqualTo(403));

        var instance = await client.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            // A public address (TEST-NET-2, never called here): a tenant key may not point at loopback or private networks.
            ["instance_name"] = "a-second-" + Guid.NewGuid().ToString("N")[..6], ["evo_server_url"] = "http://198.51.100.7:8080", ["evo_api_key"] = "key-123",
        });
        Assert.That((int)instance.StatusCode, Is.EqualTo(201), await instance.Content.ReadAsStringAsync());
        Assert.That((await instance.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("tenant_id").GetInt64(), Is.EqualTo(_tenantA),
            "a tenant key creates in its own tenant");

        var agent = await CreateKeyAsync(_tenantA, "agent", client);
        Assert.That(agent.Key, Does.StartWith("hf_"));
    }

    [Test]
    public async Task Agent_CanReadPauseAndResume_ButNothingElse()
    {
        var (_, key) = await CreateKeyAsync(_tenantA, "agent");
        using var client = ClientWith(key);
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(_instanceA, Payloads.CustomerText(chat, "Oi"));
        var id = (await _app.GetSessionAsync(_instanceA, chat)).GetProperty("id").GetInt64();

        Assert.That((int)(await client.GetAsync($"/api/sessions/{id}")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await client.GetAsync($"/api/tenants/{_tenantA}")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await client.PostAsJsonAsync($"/api/sessions/{id}/pause", new { minutes = 10 })).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await client.PostAsync($"/api/sessions/{id}/resume", null)).StatusCode, Is.EqualTo(200));

        Assert.That((int)(await client.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["instance_name"] = "agent-made", ["evo_server_url"] = "http://127.0.0.1:1", ["evo_api_key"] = "k",
        })).StatusCode, Is.EqualTo(403));
        Assert.That((int)(await client.PostAsJsonAsync($"/api/tenants/{_tenantA}/api-keys", new { name = "x", role = "agent" })).StatusCode, Is.EqualTo(403));
        Assert.That((int)(await client.PostAsJsonAsync("/api/tenants", new { name = "x" })).StatusCode, Is.EqualTo(403));
    }

    [Test]
    public async Task RevokedKey_IsRefusedAtOnce()
    {
        var (id, key) = await CreateKeyAsync(_tenantA, "agent");
        using var client = ClientWith(key);
        Assert.That((int)(await client.GetAsync("/api/tenants")).StatusCode, Is.EqualTo(200));
        Assert.That((int)(await _app.Admin.DeleteAsync($"/api/tenants/{_tenantA}/api-keys/{id}")).StatusCode, Is.EqualTo(204));
        Assert.That((int)(await client.GetAsync("/api/tenants")).StatusCode, Is.EqualTo(401));
        Assert.That((int)(await _app.Admin.DeleteAsync($"/api/tenants/{_tenantB}/api-keys/{id}")).StatusCode, Is.EqualTo(404), "a key is revoked within its tenant");
    }

    [TestCase("""{"role": "agent"}""", "name")]
    [TestCase("""{"name": "x", "role": "platform_admin"}""", "role")]
    [TestCase("""{"name": "x"}""", "role")]
    public async Task CreateKey_WithBadFields_Is400(string body, string field)
    {
        var response = await _app.Admin.PostAsync($"/api/tenants/{_tenantA}/api-keys", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400));
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
    }

    [Test]
    public async Task Keys_ForUnknownTenant_Are404_AndWithoutKey_401()
    {
        Assert.That((int)(await _app.Admin.PostAsJsonAsync("/api/tenants/999999/api-keys", new { name = "x", role = "agent" })).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await _app.Client.PostAsJsonAsync($"/api/tenants/{_tenantA}/api-keys", new { name = "x", role = "agent" })).StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task AgentKey_ReadsTheTenantAndItsInstances_WithoutPromptUrlsOrSecretTails_LikeAgentUsers()
    {
        const string prompt = "Secret sauce: never offer discounts above 5%.";
        const string workflowUrl = "http://127.0.0.1:9/internal-workflow-hook";
        const string notifyUrl = "http://127.0.0.1:9/internal-notify-hook";
        const string llmBaseUrl = "http://127.0.0.1:9/internal-llm";
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new
        {
            name = "Configured tenant", system_prompt = prompt, workflow_url = workflowUrl, workflow_secret = "workflow-secret-0123456789-WXYZ",
            notify_url = notifyUrl, llm_api_key = "sk-tenant-own-key-QRST", llm_base_url = llmBaseUrl,
        });
        var hidden = new[] { prompt, workflowUrl, notifyUrl, llmBaseUrl, "WXYZ", "QRST", HybridFlowApp.WebhookSecret[^4..], HybridFlowApp.EvolutionApiKey[^4..] };
        var paths = new[] { $"/api/tenants/{tenantId}", "/api/tenants", "/api/instances", $"/api/instances/{instance}" };

        using var agent = ClientWith((await CreateKeyAsync(tenantId, "agent")).Key);
        foreach (var path in paths)
        {
            var response = await agent.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), $"{path}: an agent key may still read ({body})");
            foreach (var value in hidden) Assert.That(body, Does.Not.Contain(value), $"{path} shows an agent key {value}");
        }
        var tenant = await agent.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}");
        Assert.That(tenant.GetProperty("name").GetString(), Is.EqualTo("Configured tenant"), "what an agent works with stays");

        // A tenant_admin key still reads everything.
        using var admin = ClientWith((await CreateKeyAsync(tenantId, "tenant_admin")).Key);
        foreach (var path in paths)
        {
            var body = await (await admin.GetAsync(path)).Content.ReadAsStringAsync();
            if (path.Contains("tenants")) Assert.That(body, Does.Contain(workflowUrl).And.Contain(prompt).And.Contain("WXYZ"), path);
            else Assert.That(body, Does.Contain(HybridFlowApp.WebhookSecret[^4..]), path);
        }
    }

    [Test]
    public async Task AgentUser_GetsForbidden_OnTheTenantConfigurationRoutes()
    {
        var email = $"agent-{Guid.NewGuid():N}@hybridflow.test";
        await UserSessions.CreateUserAsync(_app, _tenantA, email, "agent");
        var browser = await UserSessions.LoginAsync(_app, email);
        foreach (var path in new[] { $"/api/tenants/{_tenantA}", "/api/tenants", "/api/instances", $"/api/instances/{_instanceA}" })
            Assert.That((int)(await browser.GetAsync(path)).StatusCode, Is.EqualTo(403), path);
    }
}
