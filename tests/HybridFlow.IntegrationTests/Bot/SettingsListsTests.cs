using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Bot;

/// <summary>GET /api/settings/models and /api/settings/time-zones: what the settings page offers, from the server.</summary>
public sealed class SettingsListsTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        ["LLM_ALLOWED_MODELS"] = "openai:gpt-4o-mini,anthropic:claude-test",
    });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<(long TenantId, HttpClient Admin)> TenantAsync(string role = "tenant_admin")
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var email = $"{role}-{Guid.NewGuid():N}@lists.test";
        await UserSessions.CreateUserAsync(_app, tenantId, email, role);
        return (tenantId, await UserSessions.LoginAsync(_app, email));
    }

    [Test]
    public async Task Models_AreTheAllowedListAndTheDefaults_ForATenantOnThePlatformsKey()
    {
        var (_, admin) = await TenantAsync();
        var models = await admin.GetJsonAsync("/api/settings/models");
        var items = models.GetProperty("items").EnumerateArray()
            .Select(m => (m.GetProperty("provider").GetString(), m.GetProperty("model").GetString(), m.GetProperty("is_default").GetBoolean())).ToList();
        Assert.That(items, Does.Contain(("openai", "gpt-4o-mini", false)).And.Contain(("anthropic", "claude-test", false)).And.Contain(("openai", "gpt-test", true)));
        Assert.That(items.Where(i => i.Item1 == "anthropic" && i.Item3).ToList(), Has.Count.EqualTo(1), "ANTHROPIC_MODEL, always allowed");
        Assert.That(items.Select(i => i.Item1), Has.All.AnyOf("openai", "anthropic"));
        Assert.That(models.GetProperty("default_provider").GetString(), Is.EqualTo("openai"));
        Assert.That(models.GetProperty("own_account").GetBoolean(), Is.False);
        Assert.That(items.Select(i => i.Item2), Does.Not.Contain(models.GetProperty("transcription_default").GetString()), "the transcription model is no reply model");
    }

    [Test]
    public async Task Models_SayATenantWithItsOwnKeyChoosesFreely_AndTheyAreForAdminsOnly()
    {
        var (tenantId, admin) = await TenantAsync();
        await ApiAssert.StatusAsync(await admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"llm_api_key": "sk-own-key-of-the-tenant"}"""), 200);
        Assert.That((await admin.GetJsonAsync("/api/settings/models")).GetProperty("own_account").GetBoolean(), Is.True);

        var (_, agent) = await TenantAsync("agent");
        await ApiAssert.ProblemAsync(await agent.GetAsync("/api/settings/models"), 403);
        var (otherTenant, _) = await TenantAsync();
        await ApiAssert.ProblemAsync(await admin.GetAsync($"/api/settings/models?tenant_id={otherTenant}"), 404);
        Assert.That((await _app.Admin.GetJsonAsync($"/api/settings/models?tenant_id={tenantId}")).GetProperty("own_account").GetBoolean(), Is.True,
            "the platform admin asks about the tenant in view");
        await ApiAssert.ProblemAsync(await _app.Client.GetAsync("/api/settings/models"), 401);
    }

    [Test]
    public async Task TimeZones_AreIanaIdsTheServerKnows_AndEachIsAcceptedAsTheTenantsTimezone()
    {
        var (tenantId, admin) = await TenantAsync();
        var zones = (await admin.GetJsonAsync("/api/settings/time-zones")).GetProperty("items").EnumerateArray().Select(z => z.GetString()!).ToList();
        Assert.That(zones, Does.Contain("America/Sao_Paulo").And.Contain("Europe/Lisbon").And.Contain("UTC"));
        Assert.That(zones, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
        Assert.That(zones.Where(z => z != "UTC"), Has.All.Contains('/'), "IANA names only");

        foreach (var zone in new[] { zones[0], zones[zones.Count / 2], zones[^1] })
            await ApiAssert.StatusAsync(await admin.PatchJsonAsync($"/api/tenants/{tenantId}", $$"""{"timezone": "{{zone}}"}"""), 200);
        await ApiAssert.ProblemAsync(await admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"timezone": "Not/AZone"}"""), 400, "timezone");
        await ApiAssert.ProblemAsync(await _app.Client.GetAsync("/api/settings/time-zones"), 401);
    }
}
