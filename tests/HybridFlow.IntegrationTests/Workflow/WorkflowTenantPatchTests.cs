using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Workflow;

/// <summary>PATCH keeps a workflow tenant sendable: a URL and a signing secret, the secret write-only and encrypted.</summary>
public sealed class WorkflowTenantPatchTests
{
    [Test]
    public async Task SwitchingToWorkflow_NeedsATarget_AndKeepsTheSecretHidden()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, _) = await app.CreateTenantWithInstanceAsync();
        const string secret = "patched-workflow-secret-0123456789";

        async Task<HttpResponseMessage> Patch(string body) =>
            await app.Admin.PatchAsync($"/api/tenants/{tenantId}", new StringContent(body, Encoding.UTF8, "application/json"));

        var noUrl = await Patch("""{"reply_mode": "workflow"}""");
        Assert.That((int)noUrl.StatusCode, Is.EqualTo(400));
        Assert.That((await noUrl.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("workflow_url", out _), Is.True);

        var noSecret = await Patch("""{"reply_mode": "workflow", "workflow_url": "https://n8n.example.com/webhook/abc"}""");
        Assert.That((int)noSecret.StatusCode, Is.EqualTo(400));
        Assert.That((await noSecret.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("workflow_secret", out _), Is.True);

        var badUrl = await Patch("""{"workflow_url": "ftp://nope"}""");
        Assert.That((int)badUrl.StatusCode, Is.EqualTo(400));

        var ok = await Patch($$"""{"reply_mode": "workflow", "workflow_url": "https://n8n.example.com/webhook/abc", "workflow_secret": "{{secret}}"}""");
        var body = await ok.Content.ReadAsStringAsync();
        Assert.That((int)ok.StatusCode, Is.EqualTo(200), body);
        Assert.That(body, Does.Not.Contain(secret));
        var tenant = JsonDocument.Parse(body).RootElement;
        Assert.That(tenant.GetProperty("reply_mode").GetString(), Is.EqualTo("workflow"));
        Assert.That(tenant.GetProperty("workflow_secret").GetString(), Is.EqualTo("****" + secret[^4..]));
        Assert.That(await app.ScalarAsync<string>("SELECT workflow_secret FROM tenants WHERE id = $1", tenantId), Does.StartWith("enc:v2:"));

        var clearUrl = await Patch("""{"workflow_url": null}""");
        Assert.That((int)clearUrl.StatusCode, Is.EqualTo(400), "a workflow tenant cannot lose its only target");
    }
}
