using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using HybridFlow.IntegrationTests.Infrastructure;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>
/// /health reports the database, the LLM provider and the workflow target; only an "error" makes it 503. The admin key
/// reads the whole report; anyone else only "ok" and each check's status.
/// </summary>
public sealed class HealthTests
{
    private static async Task<(int Status, JsonElement Checks)> HealthAsync(HybridFlowApp app)
    {
        var response = await app.Admin.GetAsync("/health");
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("ok").GetBoolean(), Is.EqualTo(response.StatusCode == HttpStatusCode.OK), body.ToString());
        return ((int)response.StatusCode, body.GetProperty("checks"));
    }

    private static string Status(JsonElement checks, string name) => checks.GetProperty(name).GetProperty("status").GetString()!;

    private static string Message(JsonElement checks, string name) => checks.GetProperty(name).GetProperty("message").GetString()!;

    /// <summary>A port nothing listens on: bound, then released.</summary>
    private static Uri ClosedPortUrl(string path = "")
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/{path}");
    }

    [Test]
    public async Task ByDefault_LlmIsOk_AndWorkflowIsDisabled()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (status, checks) = await HealthAsync(app);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(Status(checks, "database"), Is.EqualTo("ok"));
        Assert.That(Status(checks, "llm"), Is.EqualTo("ok"), "the fake OpenAI-compatible server accepts connections");
        Assert.That(Message(checks, "llm"), Does.Contain("openai").And.Contain("gpt-test"));
        Assert.That(Status(checks, "workflow"), Is.EqualTo("disabled"));
        Assert.That(app.Llm.Requests, Is.Empty, "the model is never called by a health check");
    }

    [Test]
    public async Task StaticProviderIsOk_WorkflowIsOkWhenReachable_AndAnErrorWithoutItsUrl()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "static",
            ["N8N_ENABLED"] = "true",
        });
        // The fake Evolution server stands in for n8n: any host that accepts connections.
        await using var reachable = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "static",
            ["N8N_ENABLED"] = "true",
            ["N8N_WEBHOOK_URL"] = new Uri(app.Evolution.BaseAddress, "webhook/hybridflow").ToString(),
        });
        var (status, checks) = await HealthAsync(reachable);
        Assert.That(status, Is.EqualTo(200));
        Assert.That(Status(checks, "llm"), Is.EqualTo("ok"));
        Assert.That(Message(checks, "llm"), Does.Contain("static"));
        Assert.That(Status(checks, "workflow"), Is.EqualTo("ok"));
        Assert.That(app.Evolution.Requests, Is.Empty, "reachability is a TCP connection, no HTTP request runs the workflow");

        var (missingStatus, missing) = await HealthAsync(app);
        Assert.That(missingStatus, Is.EqualTo(503), "N8N_ENABLED without N8N_WEBHOOK_URL");
        Assert.That(Status(missing, "workflow"), Is.EqualTo("error"));
        Assert.That(Message(missing, "workflow"), Does.Contain("N8N_WEBHOOK_URL"));
        Assert.That(Status(missing, "llm"), Is.EqualTo("ok"));
    }

    [Test]
    public async Task UnreachableModelServer_AndUnreachableWorkflow_Are503()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["OPENAI_BASE_URL"] = ClosedPortUrl("v1").ToString(),
            ["N8N_ENABLED"] = "true",
            ["N8N_WEBHOOK_URL"] = ClosedPortUrl("webhook/x").ToString(),
        });
        var (status, checks) = await HealthAsync(app);
        Assert.That(status, Is.EqualTo(503));
        Assert.That(Status(checks, "database"), Is.EqualTo("ok"));
        Assert.That(Status(checks, "llm"), Is.EqualTo("error"));
        Assert.That(Message(checks, "llm"), Does.Contain("OPENAI_BASE_URL"));
        Assert.That(Status(checks, "workflow"), Is.EqualTo("error"));
    }

    [Test]
    public async Task ChosenProviderWithoutKey_IsAnError_AndNoSecretIsShown()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = null,
        });
        var response = await app.Admin.GetAsync("/health");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(503), text);
        var checks = JsonDocument.Parse(text).RootElement.GetProperty("checks");
        Assert.That(Status(checks, "llm"), Is.EqualTo("error"));
        Assert.That(Message(checks, "llm"), Does.Contain("ANTHROPIC_API_KEY"));
        Assert.That(text, Does.Not.Contain("sk-test-not-a-real-key"));
    }

    [Test]
    public async Task DatabaseDown_Is503WithTheDatabaseInError_AndHealthyAgainWhenItIsBack()
    {
        await using var postgres = await PostgresServer.StartAsync();
        if (postgres.IsExternal) Assert.Ignore("Needs a cluster the tests start themselves (HYBRIDFLOW_TEST_DATABASE_URL is set).");
        await using var app = await HybridFlowApp.StartAsync(sharedDatabase: await postgres.CreateDatabaseAsync());
        var (upStatus, up) = await HealthAsync(app);
        Assert.That(upStatus, Is.EqualTo(200));
        Assert.That(Message(up, "database"), Does.Match(@"^\d+ migrations applied$"));

        await postgres.StopServerAsync();
        var response = await app.Admin.GetAsync("/health");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(503), text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.That(body.GetProperty("ok").GetBoolean(), Is.False);
        var checks = body.GetProperty("checks");
        Assert.That(Status(checks, "database"), Is.EqualTo("error"));
        Assert.That(Message(checks, "database"), Is.EqualTo("database unreachable"), "the driver's own text (host, port) is not shown");
        Assert.That(Status(checks, "llm"), Is.EqualTo("ok"), "only the database is down");

        await postgres.StartServerAgainAsync();
        await HybridFlowApp.EventuallyAsync(async () => (await app.Client.GetAsync("/health")).StatusCode == HttpStatusCode.OK, "healthy again");
    }

    [Test]
    public async Task Health_IsJsonInTheContractsShape_AndAnswersGetOnly()
    {
        await using var app = await HybridFlowApp.StartAsync();
        app.Clock.Advance(TimeSpan.FromDays(3));
        var response = await app.Admin.GetAsync("/health");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "ok", "version", "timestamp", "checks" }));
        Assert.That(body.GetProperty("checks").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "database", "llm", "workflow" }));
        foreach (var check in body.GetProperty("checks").EnumerateObject())
            Assert.That(check.Value.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "status", "message" }), check.Name);
        Assert.That(body.GetProperty("timestamp").GetDateTimeOffset(), Is.EqualTo(app.Clock.GetUtcNow()).Within(TimeSpan.FromMinutes(1)), "the app's clock, moved on");

        Assert.That((int)(await app.Client.PostAsync("/health", null)).StatusCode, Is.EqualTo(405));
    }

    [Test]
    public async Task Anonymous_SeesOnlyOkAndEachStatus_WithItsStatusCode_AndTheAdminKeySeesEverything()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = null,
        });
        var response = await app.Client.GetAsync("/health");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(503), text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.That(body.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "ok", "checks" }), "no version, no timestamp");
        Assert.That(body.GetProperty("ok").GetBoolean(), Is.False);
        foreach (var check in body.GetProperty("checks").EnumerateObject())
            Assert.That(check.Value.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "status" }), check.Name);
        Assert.That(Status(body.GetProperty("checks"), "llm"), Is.EqualTo("error"));
        Assert.That(text, Does.Not.Contain("anthropic").And.Not.Contain("ANTHROPIC_API_KEY").And.Not.Contain("migrations"));

        var agent = app.ClientWithKey(await app.CreateApiKeyAsync((await app.CreateTenantWithInstanceAsync()).TenantId, "tenant_admin"));
        var tenantView = JsonDocument.Parse(await (await agent.GetAsync("/health")).Content.ReadAsStringAsync()).RootElement;
        Assert.That(tenantView.TryGetProperty("version", out _), Is.False, "a tenant's key is not the platform's");

        var admin = JsonDocument.Parse(await (await app.Admin.GetAsync("/health")).Content.ReadAsStringAsync()).RootElement;
        Assert.That(admin.GetProperty("version").GetString(), Is.Not.Empty);
        Assert.That(Message(admin.GetProperty("checks"), "llm"), Does.Contain("ANTHROPIC_API_KEY"));
    }
}
