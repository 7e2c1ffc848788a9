using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Workflow;

/// <summary>
/// The seeds' global switch: with N8N_ENABLED, new tenants default to workflow mode; N8N_WEBHOOK_URL serves tenants
/// without their own workflow_url (called with N8N_API_KEY as Bearer token) and N8N_API_KEY signs for tenants
/// without their own workflow_secret.
/// </summary>
public sealed class GlobalN8nSettingsTests
{
    private const string N8nApiKey = "n8n-global-api-key-0123456789";
    private const string TenantSecret = "tenant-own-secret-0123456789";
    private HybridFlowApp _app = null!;
    private FakeWorkflowServer _workflow = null!;
    private string _globalHook = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _workflow = await FakeWorkflowServer.StartAsync();
        _globalHook = _workflow.NewHook(N8nApiKey);
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["N8N_ENABLED"] = "true",
            ["N8N_WEBHOOK_URL"] = _globalHook,
            ["N8N_API_KEY"] = N8nApiKey,
        });
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        await _app.DisposeAsync();
        await _workflow.DisposeAsync();
    }

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
    }

    private async Task<WorkflowCall> DeliverAndAwaitPostAsync(string instance)
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(() => _workflow.CallsFor(chat).Count == 1, "the event POSTed");
        return _workflow.CallsFor(chat).Single();
    }

    [Test]
    public async Task TenantWithoutReplyMode_IsAWorkflowTenant_ServedByTheGlobalUrl_WithBearerToken()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var tenant = await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}");
        Assert.That(tenant.GetProperty("reply_mode").GetString(), Is.EqualTo("workflow"));
        Assert.That(tenant.GetProperty("workflow_url").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(tenant.GetProperty("workflow_secret").ValueKind, Is.EqualTo(JsonValueKind.Null));

        var call = await DeliverAndAwaitPostAsync(instance);
        Assert.That(call.Path, Is.EqualTo(new Uri(_globalHook).AbsolutePath));
        Assert.That(call.SignatureProblem, Is.Null, "signed with N8N_API_KEY");
        Assert.That(call.Header("authorization"), Is.EqualTo("Bearer " + N8nApiKey));
        Assert.That(call.Json.TryGetProperty("reply_url", out var replyUrl) && replyUrl.ValueKind == JsonValueKind.Null, Is.True,
            "no reply_url without PUBLIC_BASE_URL");
        Assert.That(_app.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task TenantWithItsOwnUrl_GetsNoBearerToken_AndIsSignedWithN8nApiKey_WhenItHasNoSecret()
    {
        var ownHook = _workflow.NewHook(N8nApiKey);
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { workflow_url = ownHook });
        var call = await DeliverAndAwaitPostAsync(instance);
        Assert.That(call.Path, Is.EqualTo(new Uri(ownHook).AbsolutePath));
        Assert.That(call.SignatureProblem, Is.Null);
        Assert.That(call.Header("authorization"), Is.Null, "N8N_API_KEY goes only to N8N_WEBHOOK_URL");
    }

    [Test]
    public async Task TenantWithItsOwnSecret_IsSignedWithIt()
    {
        var ownHook = _workflow.NewHook(TenantSecret);
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { workflow_url = ownHook, workflow_secret = TenantSecret });
        var call = await DeliverAndAwaitPostAsync(instance);
        Assert.That(call.SignatureProblem, Is.Null, "signed with the tenant's workflow_secret, not N8N_API_KEY");
        Assert.That(call.AnsweredStatus, Is.EqualTo(200));
    }

    [Test]
    public async Task TenantAskingForAi_StaysAnAiTenant()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "ai" });
        Assert.That((await _app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{tenantId}")).GetProperty("reply_mode").GetString(), Is.EqualTo("ai"));
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the model's reply sent");
        Assert.That(_workflow.CallsFor(chat), Is.Empty);
    }
}
