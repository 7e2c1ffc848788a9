using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>The admin surface the core loop needs: keys, tenants, instances, sessions, health, Swagger.</summary>
public sealed class AdminApiTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [TestCase("GET", "/api/tenants")]
    [TestCase("POST", "/api/tenants")]
    [TestCase("GET", "/api/tenants/1")]
    [TestCase("GET", "/api/instances")]
    [TestCase("POST", "/api/instances")]
    [TestCase("GET", "/api/sessions/1")]
    [TestCase("POST", "/api/sessions/1/pause")]
    [TestCase("POST", "/api/sessions/1/resume")]
    [TestCase("GET", "/sessions/demo-instance/5511999990001@s.whatsapp.net")]
    [TestCase("POST", "/sessions/demo-instance/5511999990001@s.whatsapp.net/resume")]
    [TestCase("GET", "/api/no-such-route")]
    [TestCase("DELETE", "/sessions")]
    public async Task AdminRoutes_WithoutKeyOrWithWrongKey_Are401(string method, string path)
    {
        var anonymous = await _app.Client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) });
        Assert.That((int)anonymous.StatusCode, Is.EqualTo(401));
        Assert.That(anonymous.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        var wrong = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { }) };
        wrong.Headers.Add("X-Api-Key", "not-the-admin-key");
        Assert.That((int)(await _app.Client.SendAsync(wrong)).StatusCode, Is.EqualTo(401));
    }

    [Test]
    public async Task XApiKeyHeader_IsAccepted()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/tenants");
        request.Headers.Add("X-Api-Key", HybridFlowApp.AdminKey);
        Assert.That((int)(await _app.Client.SendAsync(request)).StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task CreateTenant_Is201_WithDefaults_AndCanBeReadBack()
    {
        var response = await _app.Admin.PostAsJsonAsync("/api/tenants", new { name = "Café Central", llm_provider = "anthropic", llm_model = "claude-test" });
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location, Is.Not.Null);
        var tenant = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(tenant.GetProperty("name").GetString(), Is.EqualTo("Café Central"));
        Assert.That(tenant.GetProperty("reply_mode").GetString(), Is.EqualTo("ai"));
        Assert.That(tenant.GetProperty("resume_after_minutes").GetInt32(), Is.EqualTo(120));
        Assert.That(tenant.GetProperty("debounce_seconds").GetInt32(), Is.EqualTo(0));
        Assert.That(tenant.GetProperty("history_messages").GetInt32(), Is.EqualTo(20));

        var id = tenant.GetProperty("id").GetInt64();
        var read = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}");
        Assert.That(read.GetProperty("llm_provider").GetString(), Is.EqualTo("anthropic"));
        Assert.That(read.GetProperty("llm_model").GetString(), Is.EqualTo("claude-test"));
    }

    [Test]
    public async Task ListTenants_IsPaged()
    {
        for (var i = 0; i < 3; i++) await _app.Admin.PostAsJsonAsync("/api/tenants", new { name = $"Paged {i}" });
        var page = await _app.Admin.GetFromJsonAsync<JsonElement>("/api/tenants?page=2&page_size=2");
        Assert.That(page.GetProperty("page").GetInt32(), Is.EqualTo(2));
        Assert.That(page.GetProperty("page_size").GetInt32(), Is.EqualTo(2));
        Assert.That(page.GetProperty("total").GetInt64(), Is.GreaterThanOrEqualTo(3));
        Assert.That(page.GetProperty("items").GetArrayLength(), Is.InRange(1, 2));

        var bad = await _app.Admin.GetAsync("/api/tenants?page=0&page_size=500");
        var problem = await bad.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)bad.StatusCode, Is.EqualTo(400));
        Assert.That(problem.GetProperty("errors").TryGetProperty("page", out _), Is.True);
        Assert.That(problem.GetProperty("errors").TryGetProperty("page_size", out _), Is.True);
    }

    [TestCase("""{"system_prompt": "x"}""", "name")]
    [TestCase("""{"name": "A", "reply_mode": "sometimes"}""", "reply_mode")]
    [TestCase("""{"name": "A", "llm_provider": "skynet"}""", "llm_provider")]
    [TestCase("""{"name": "A", "resume_after_minutes": 0}""", "resume_after_minutes")]
    [TestCase("""{"name": "A", "debounce_seconds": -1}""", "debounce_seconds")]
    [TestCase("""{"name": "A", "history_messages": 1000}""", "history_messages")]
    [TestCase("""{"name": "A", "resume_after_minutes": "soon"}""", "$.resume_after_minutes")]
    [TestCase("""{"name": "A\u0000B"}""", "$.name")]
    [TestCase("""{"name": "A", "system_prompt": "Be kind\u0000"}""", "$.system_prompt")]
    public async Task CreateTenant_WithBadField_Is400_NamingIt(string body, string? field)
    {
        var before = await _app.ScalarAsync<long>("SELECT count(*) FROM tenants");
        var response = await _app.Admin.PostAsync("/api/tenants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), problem.ToString());
        if (field is not null) Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM tenants"), Is.EqualTo(before));
    }

    /// <summary>PostgreSQL cannot store NUL, and refusing it there broke the refused statement for its connection (ADR-021).</summary>
    [TestCase("/api/tenants?page=1&name=%00")]
    [TestCase("/api/inbox/conversations?q=caf%00e")]
    public async Task ANulInTheQuery_Is400_BeforeAnyLookUp(string address)
    {
        using var response = await _app.Admin.GetAsync(address);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), body);
        Assert.That(body, Does.Contain("NUL character"));
    }

    [Test]
    public async Task UnknownIds_Are404()
    {
        Assert.That((int)(await _app.Admin.GetAsync("/api/tenants/999999")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await _app.Admin.GetAsync("/api/sessions/999999")).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await _app.Admin.PostAsync("/api/sessions/999999/pause", null)).StatusCode, Is.EqualTo(404));
        Assert.That((int)(await _app.Admin.GetAsync("/sessions/nope/5511999990001@s.whatsapp.net")).StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task CreateInstance_KeepsSecretsWriteOnly()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var list = await _app.Admin.GetAsync($"/api/instances?tenant_id={tenantId}");
        var text = await list.Content.ReadAsStringAsync();
        Assert.That(text, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));
        Assert.That(text, Does.Not.Contain(HybridFlowApp.WebhookSecret));
        var item = JsonDocument.Parse(text).RootElement.GetProperty("items")[0];
        Assert.That(item.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That(item.GetProperty("evo_api_key").GetString(), Is.EqualTo("****" + HybridFlowApp.EvolutionApiKey[^4..]));
    }

    [Test]
    public async Task CreateInstance_Errors_AreClear()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var duplicate = await _app.Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = instance, ["evo_server_url"] = "http://127.0.0.1:1", ["evo_api_key"] = "k",
        });
        Assert.That((int)duplicate.StatusCode, Is.EqualTo(409));

        var unknownTenant = await _app.Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = 999999, ["instance_name"] = "fresh-name", ["evo_server_url"] = "http://127.0.0.1:1", ["evo_api_key"] = "k",
        });
        Assert.That((int)unknownTenant.StatusCode, Is.EqualTo(404));

        var invalid = await _app.Admin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = "bad/name", ["evo_server_url"] = "ftp://x", ["webhook_secret"] = "short",
        });
        var problem = await invalid.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)invalid.StatusCode, Is.EqualTo(400));
        foreach (var field in new[] { "instance_name", "evo_server_url", "evo_api_key", "webhook_secret" })
            Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, field);
    }

    [Test]
    public async Task PauseWithBadMinutes_Is400()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        var id = (await _app.GetSessionAsync(instance, chat)).GetProperty("id").GetInt64();
        var zero = await _app.Admin.PostAsJsonAsync($"/api/sessions/{id}/pause", new { minutes = 0 });
        Assert.That((int)zero.StatusCode, Is.EqualTo(400));
        var text = await _app.Admin.PostAsync($"/api/sessions/{id}/pause", new StringContent("""{"minutes":"ten"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.That((int)text.StatusCode, Is.EqualTo(400));
        Assert.That((await _app.GetSessionAsync(instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
    }

    [Test]
    public async Task SessionShape_IsTheDocumentedOne()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        var session = await _app.GetSessionAsync(instance, chat);
        var names = session.EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(names, Is.EquivalentTo(new[]
        {
            "id", "tenant_id", "instance_name", "chat_id", "is_paused", "pause_reason", "paused_until",
            "last_message_at", "last_human_at", "created_at", "updated_at", "needs_attention",
        }));
        Assert.That(session.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
        var byId = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/sessions/{session.GetProperty("id").GetInt64()}?tenant_id={tenantId}");
        Assert.That(byId.GetProperty("chat_id").GetString(), Is.EqualTo(chat));
    }

    [Test]
    public async Task Health_ReportsTheDatabase()
    {
        var response = await _app.Admin.GetAsync("/health");
        var health = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), health.ToString());
        Assert.That(health.GetProperty("ok").GetBoolean(), Is.True);
        Assert.That(health.GetProperty("version").GetString(), Is.Not.Empty);
        Assert.That(health.GetProperty("timestamp").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(health.GetProperty("checks").GetProperty("database").GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task Swagger_ServesTheDocumentAndTheUi()
    {
        var document = await _app.Client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[]
        {
            "/webhook/{instance}", "/webhooks/evolution", "/api/tenants", "/api/tenants/{id}", "/api/instances",
            "/sessions/{instance}/{chatId}", "/sessions/{instance}/{chatId}/resume", "/api/sessions/{id}/pause",
            "/api/sessions/{id}/resume", "/cron/auto-resume", "/health",
        }));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.That(schemas.GetProperty("CreateTenantRequest").GetProperty("properties").TryGetProperty("resume_after_minutes", out _), Is.True,
            "bodies are documented in snake_case");

        var ui = await _app.Client.GetAsync("/swagger/index.html");
        Assert.That((int)ui.StatusCode, Is.EqualTo(200));
        Assert.That(await ui.Content.ReadAsStringAsync(), Does.Contain("swagger-ui"));
    }
}
