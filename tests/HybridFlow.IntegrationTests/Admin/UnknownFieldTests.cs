using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>
/// Admin request bodies are strict: a field the API does not know (a misspelt setting) is a 400 naming it, and
/// nothing changes. Webhook bodies stay tolerant, since Evolution adds fields between versions.
/// </summary>
public sealed class UnknownFieldTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task CreateTenant_WithMisspeltSetting_Is400_NamingIt_AndCreatesNothing()
    {
        var before = (await _app.Admin.GetJsonAsync("/api/tenants")).GetProperty("total").GetInt32();

        var problem = await ApiAssert.ProblemAsync(
            await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants", """{"name": "Typo", "resume_after_minute": 30}"""), 400);

        var errors = problem.GetProperty("errors");
        Assert.That(errors.GetProperty("$.resume_after_minute")[0].GetString(), Does.Contain("'resume_after_minute' is not a field"));
        Assert.That(errors.EnumerateObject().Select(e => e.Name), Is.EqualTo(new[] { "$.resume_after_minute" }), "only the real error is reported");
        Assert.That(problem.ToString(), Does.Not.Contain("HybridFlow.Api"), "no .NET type names");
        Assert.That((await _app.Admin.GetJsonAsync("/api/tenants")).GetProperty("total").GetInt32(), Is.EqualTo(before));
    }

    [Test]
    public async Task PatchTenant_WithMisspeltSetting_Is400_NamingIt_AndChangesNothing()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var before = await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}");

        var problem = await ApiAssert.ProblemAsync(
            await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"resume_after_minutes": 5, "sytem_prompt": "Be brief."}"""), 400);

        Assert.That(problem.GetProperty("errors").TryGetProperty("$.sytem_prompt", out _), Is.True, problem.ToString());
        Assert.That((await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}")).ToString(), Is.EqualTo(before.ToString()));
    }

    [TestCase("POST", "/api/instances", """{"tenant_id": 1, "instance_name": "x", "evo_server_url": "https://e.example.com", "evo_api_key": "k", "evo_apikey": "k"}""", "evo_apikey")]
    [TestCase("PATCH", "/api/instances/{instance}", """{"evo_server": "https://e.example.com"}""", "evo_server")]
    [TestCase("POST", "/api/instances/{instance}/configure-webhook", """{"webhook_url": "https://h.example.com"}""", "webhook_url")]
    [TestCase("POST", "/api/sessions/1/pause", """{"minute": 5}""", "minute")]
    [TestCase("POST", "/api/tenants/{tenant}/api-keys", """{"name": "desk", "role": "agent", "scope": "all"}""", "scope")]
    [TestCase("POST", "/api/evolution/send-message", """{"instance_name": "{instance}", "number": "5511999990001", "text": "oi", "as": "bot", "delay": 5}""", "delay")]
    public async Task AdminBody_WithUnknownField_Is400_NamingIt(string method, string path, string body, string field)
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        string Fill(string s) => s.Replace("{instance}", instance, StringComparison.Ordinal).Replace("{tenant}", tenantId.ToString(), StringComparison.Ordinal);

        var problem = await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(new HttpMethod(method), Fill(path), Fill(body)), 400);

        Assert.That(problem.GetProperty("errors").TryGetProperty("$." + field, out _), Is.True, problem.ToString());
        Assert.That(_app.Evolution.CallsTo("/message/sendText/"), Is.Empty, "nothing was sent");
    }

    [Test]
    public async Task Webhook_WithFieldsHybridFlowDoesNotKnow_IsStillAccepted()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var payload = Payloads.CustomerText(Payloads.NewChatId(), "Bom dia").WithInstance(instance);
        payload["extra_field_from_a_newer_evolution"] = new JsonObject { ["anything"] = 1 };
        payload["data"]!.AsObject()["another_new_field"] = "value";

        var answer = await ApiAssert.StatusAsync(await _app.PostWebhookAsync(instance, payload), 200);

        Assert.That(answer.GetProperty("action").GetString(), Is.EqualTo("recorded"));
    }
}
