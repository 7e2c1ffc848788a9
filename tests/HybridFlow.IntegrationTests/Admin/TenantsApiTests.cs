using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>PATCH and DELETE /api/tenants/{id}: partial updates, cascading deletes, roles and tenant isolation.</summary>
public sealed class TenantsApiTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<long> CreateTenantAsync(object body)
    {
        var created = await ApiAssert.StatusAsync(await _app.Admin.PostAsJsonAsync("/api/tenants", body), 201);
        return created.GetProperty("id").GetInt64();
    }

    [Test]
    public async Task Patch_ChangesOnlyTheFieldsSent_AndNullClears()
    {
        var id = await CreateTenantAsync(new
        {
            name = "Padaria Antiga", system_prompt = "Seja breve.", llm_provider = "anthropic", llm_model = "claude-test",
            resume_after_minutes = 120, debounce_seconds = 3, history_messages = 10, external_sends_pause = true,
        });

        var patched = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}",
            """{"name": "  Padaria Nova  ", "llm_model": null, "resume_after_minutes": 30, "external_sends_pause": false}"""), 200);

        Assert.That(patched.GetProperty("id").GetInt64(), Is.EqualTo(id));
        Assert.That(patched.GetProperty("name").GetString(), Is.EqualTo("Padaria Nova"));
        Assert.That(patched.GetProperty("llm_model").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(patched.GetProperty("resume_after_minutes").GetInt32(), Is.EqualTo(30));
        Assert.That(patched.GetProperty("external_sends_pause").GetBoolean(), Is.False);
        Assert.That(patched.GetProperty("system_prompt").GetString(), Is.EqualTo("Seja breve."), "absent fields are kept");
        Assert.That(patched.GetProperty("llm_provider").GetString(), Is.EqualTo("anthropic"));
        Assert.That(patched.GetProperty("debounce_seconds").GetInt32(), Is.EqualTo(3));
        Assert.That(patched.GetProperty("history_messages").GetInt32(), Is.EqualTo(10));
        Assert.That(patched.GetProperty("updated_at").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(patched.GetProperty("created_at").GetDateTimeOffset()));

        var read = await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
        Assert.That(read.GetProperty("name").GetString(), Is.EqualTo("Padaria Nova"));
        Assert.That(await _app.ScalarAsync<bool>("SELECT llm_model IS NULL AND resume_after_minutes = 30 FROM tenants WHERE id = $1", id), Is.True);

        var cleared = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", """{"system_prompt": null, "llm_provider": null}"""), 200);
        Assert.That(cleared.GetProperty("system_prompt").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cleared.GetProperty("llm_provider").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(cleared.GetProperty("name").GetString(), Is.EqualTo("Padaria Nova"));
    }

    [Test]
    public async Task Patch_WithEmptyBody_ChangesNothing()
    {
        var id = await CreateTenantAsync(new { name = "Sem Mudança", resume_after_minutes = 45 });
        var before = await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
        var after = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", "{}"), 200);
        Assert.That(after.ToString(), Is.EqualTo(before.ToString()));
    }

    [Test]
    public async Task Patch_ReplyModeOff_IsWhatTheWebhookPipelineUses()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"reply_mode": "off"}"""), 200);
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("recorded"));

        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"reply_mode": "ai"}"""), 200);
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));
    }

    [TestCase("""{"name": ""}""", "name")]
    [TestCase("""{"name": null}""", "name")]
    [TestCase("""{"reply_mode": "sometimes"}""", "reply_mode")]
    [TestCase("""{"reply_mode": null}""", "reply_mode")]
    [TestCase("""{"llm_provider": "skynet"}""", "llm_provider")]
    [TestCase("""{"resume_after_minutes": 0}""", "resume_after_minutes")]
    [TestCase("""{"resume_after_minutes": null}""", "resume_after_minutes")]
    [TestCase("""{"debounce_seconds": 601}""", "debounce_seconds")]
    [TestCase("""{"history_messages": -1}""", "history_messages")]
    [TestCase("""{"external_sends_pause": null}""", "external_sends_pause")]
    [TestCase("""{"resume_after_minutes": "soon"}""", "$.resume_after_minutes")]
    [TestCase("""{"llm_model": 42}""", "$.llm_model")]
    public async Task Patch_WithBadField_Is400_NamingIt_AndChangesNothing(string body, string field)
    {
        var id = await CreateTenantAsync(new { name = "Validada", llm_model = "m1" });
        var before = await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", body), 400, field);
        Assert.That((await _app.Admin.GetJsonAsync($"/api/tenants/{id}")).ToString(), Is.EqualTo(before.ToString()));
    }

    [Test]
    public async Task Patch_WithTooLongSystemPrompt_Is400()
    {
        var id = await CreateTenantAsync(new { name = "Prolixa" });
        var body = JsonSerializer.Serialize(new Dictionary<string, object> { ["system_prompt"] = new string('x', 20_001) });
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", body), 400, "system_prompt");
    }

    [Test]
    public async Task Patch_UnknownTenant_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync("/api/tenants/999999", """{"name": "x"}"""), 404);

    [TestCase("PATCH")]
    [TestCase("DELETE")]
    public async Task WithoutKey_Is401(string method)
    {
        var id = await CreateTenantAsync(new { name = "Sem Chave" });
        await ApiAssert.ProblemAsync(await _app.Client.SendJsonAsync(new HttpMethod(method), $"/api/tenants/{id}", """{"name": "x"}"""), 401);
        Assert.That((await _app.Admin.GetJsonAsync($"/api/tenants/{id}")).GetProperty("name").GetString(), Is.EqualTo("Sem Chave"));
    }

    [Test]
    public async Task Patch_WithAnotherTenantsKey_Is404_AndChangesNothing()
    {
        var victim = await CreateTenantAsync(new { name = "Vítima" });
        var other = await CreateTenantAsync(new { name = "Outra" });
        var otherAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(other, "tenant_admin"));

        await ApiAssert.ProblemAsync(await otherAdmin.PatchJsonAsync($"/api/tenants/{victim}", """{"name": "Hacked"}"""), 404);
        Assert.That((await _app.Admin.GetJsonAsync($"/api/tenants/{victim}")).GetProperty("name").GetString(), Is.EqualTo("Vítima"));
    }

    [Test]
    public async Task Patch_OwnTenant_IsAllowedToTenantAdmin_ButForbiddenToAgent()
    {
        var id = await CreateTenantAsync(new { name = "Loja" });
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(id, "tenant_admin"));
        var agent = _app.ClientWithKey(await _app.CreateApiKeyAsync(id, "agent"));

        await ApiAssert.ProblemAsync(await agent.PatchJsonAsync($"/api/tenants/{id}", """{"name": "Agente mudou"}"""), 403);
        Assert.That((await agent.GetJsonAsync($"/api/tenants/{id}")).GetProperty("name").GetString(), Is.EqualTo("Loja"), "agents may read");

        var patched = await ApiAssert.StatusAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{id}", """{"debounce_seconds": 8}"""), 200);
        Assert.That(patched.GetProperty("debounce_seconds").GetInt32(), Is.EqualTo(8));
    }

    [Test]
    public async Task Delete_RemovesTheTenantAndEverythingItOwns()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var tenantKey = await _app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, tudo bem?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_replied"), "the reply went out");
        var sessionId = (await _app.GetSessionAsync(instance, chat)).GetProperty("id").GetInt64();

        await ApiAssert.StatusAsync(await _app.Admin.DeleteAsync($"/api/tenants/{tenantId}"), 204);

        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync($"/api/tenants/{tenantId}"), 404);
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync($"/api/sessions/{sessionId}"), 404);
        foreach (var table in new[] { "instances", "sessions", "messages", "session_events", "reply_jobs", "api_keys" })
            Assert.That(await _app.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE tenant_id = $1", tenantId), Is.Zero, table);
        // Its instance is gone: a delivery with the old secret is refused like one for any unknown instance.
        await ApiAssert.ProblemAsync(await _app.PostWebhookAsync(instance, Payloads.CustomerText(chat, "Alô?")), 401);
        await ApiAssert.ProblemAsync(await _app.ClientWithKey(tenantKey).GetAsync($"/api/tenants/{tenantId}"), 401);
    }

    [Test]
    public async Task Delete_LeavesOtherTenantsAlone()
    {
        var (keep, keepInstance) = await _app.CreateTenantWithInstanceAsync();
        var (drop, _) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.StatusAsync(await _app.Admin.DeleteAsync($"/api/tenants/{drop}"), 204);
        await _app.Admin.GetJsonAsync($"/api/tenants/{keep}");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM instances WHERE instance_name = $1", keepInstance), Is.EqualTo(1));
    }

    [Test]
    public async Task Delete_WithBadId_Is400() =>
        await ApiAssert.ProblemAsync(await _app.Admin.DeleteAsync("/api/tenants/0"), 400, "id");

    [Test]
    public async Task Delete_UnknownTenant_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.DeleteAsync("/api/tenants/999999"), 404);

    [Test]
    public async Task Delete_WithAnotherTenantsKey_Is404_AndDeletesNothing()
    {
        var victim = await CreateTenantAsync(new { name = "Alvo" });
        var other = await CreateTenantAsync(new { name = "Atacante" });
        var otherAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(other, "tenant_admin"));
        await ApiAssert.ProblemAsync(await otherAdmin.DeleteAsync($"/api/tenants/{victim}"), 404);
        await _app.Admin.GetJsonAsync($"/api/tenants/{victim}");
    }

    [TestCase("tenant_admin")]
    [TestCase("agent")]
    public async Task Delete_IsForThePlatformAdminOnly(string role)
    {
        var id = await CreateTenantAsync(new { name = "Protegida" });
        var tenantKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(id, role));
        await ApiAssert.ProblemAsync(await tenantKey.DeleteAsync($"/api/tenants/{id}"), 403);
        await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
    }
}
