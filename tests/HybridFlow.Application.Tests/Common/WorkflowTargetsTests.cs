using HybridFlow.Application.Common;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Tests.Common;

/// <summary>How per-tenant workflow settings combine with N8N_ENABLED, N8N_WEBHOOK_URL and N8N_API_KEY.</summary>
public sealed class WorkflowTargetsTests
{
    private const string GlobalUrl = "https://n8n.example.com/webhook/global";
    private const string GlobalKey = "n8n-api-key";
    private static readonly HybridFlowSettings Global = new() { WorkflowEnabled = true, GlobalWorkflowUrl = GlobalUrl, GlobalWorkflowApiKey = GlobalKey };
    private static readonly HybridFlowSettings None = new();

    [Test]
    public void DefaultReplyMode_IsWorkflow_OnlyWithN8nEnabled()
    {
        Assert.That(WorkflowTargets.DefaultReplyMode(Global), Is.EqualTo("workflow"));
        Assert.That(WorkflowTargets.DefaultReplyMode(None), Is.EqualTo("ai"));
    }

    [Test]
    public void TenantWithoutSettings_UsesTheGlobalUrl_WithTheApiKeyAsBearerAndSecret()
    {
        var target = WorkflowTargets.Resolve(null, null, Global);
        // N8N_WEBHOOK_URL comes from the environment, not from a tenant key: the outbound address guard does not apply.
        Assert.That(target, Is.EqualTo(new HybridFlow.Application.Common.Interfaces.WorkflowTarget(GlobalUrl, GlobalKey, GlobalKey, Trusted: true)));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TenantsOwnUrl_CarriesWhetherThePlatformAdminSavedIt(bool trusted) =>
        Assert.That(WorkflowTargets.Resolve("https://hooks.example.com/a", "tenant-secret-0123456789", Global, trusted)!.Trusted, Is.EqualTo(trusted));

    [Test]
    public void TenantsOwnUrl_GetsNoBearerToken_ButIsSignedWithTheApiKeyWhenItHasNoSecret()
    {
        var target = WorkflowTargets.Resolve(" https://hooks.example.com/a ", null, Global);
        Assert.That(target!.Url, Is.EqualTo("https://hooks.example.com/a"));
        Assert.That(target.SigningSecret, Is.EqualTo(GlobalKey));
        Assert.That(target.BearerToken, Is.Null);
    }

    [Test]
    public void TenantsOwnSecret_Wins()
    {
        Assert.That(WorkflowTargets.Resolve(null, "tenant-secret-0123456789", Global)!.SigningSecret, Is.EqualTo("tenant-secret-0123456789"));
        Assert.That(WorkflowTargets.Resolve("https://hooks.example.com/a", "tenant-secret-0123456789", None)!.SigningSecret,
            Is.EqualTo("tenant-secret-0123456789"));
    }

    [Test]
    public void WithoutUrlOrSecret_ThereIsNoTarget()
    {
        Assert.That(WorkflowTargets.Resolve(null, "tenant-secret-0123456789", None), Is.Null, "no URL anywhere");
        Assert.That(WorkflowTargets.Resolve("https://hooks.example.com/a", null, None), Is.Null, "nothing to sign with");
        Assert.That(WorkflowTargets.HasUrl(null, None), Is.False);
        Assert.That(WorkflowTargets.HasSecret(null, None), Is.False);
        Assert.That(WorkflowTargets.HasUrl(null, Global), Is.True);
        Assert.That(WorkflowTargets.HasSecret(null, Global), Is.True);
    }

    [TestCase("ai", ReplyMode.Ai)]
    [TestCase("workflow", ReplyMode.Workflow)]
    [TestCase("off", ReplyMode.Off)]
    public void ReplyModeNames_RoundTrip(string name, ReplyMode mode)
    {
        Assert.That(ReplyModeNames.Parse(name), Is.EqualTo(mode));
        Assert.That(mode.ToName(), Is.EqualTo(name));
    }
}
