using System.Net.Http.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Bot;

/// <summary>Saved replies: the tenant admin's CRUD, unique shortcuts, tenant isolation, and the agents' read for the composer.</summary>
public sealed class SavedRepliesApiTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<(long TenantId, HttpClient Admin, HttpClient Agent)> TenantAsync()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var admin = $"admin-{Guid.NewGuid():N}@replies.test";
        var agent = $"agent-{Guid.NewGuid():N}@replies.test";
        await UserSessions.CreateUserAsync(_app, tenantId, admin, "tenant_admin");
        await UserSessions.CreateUserAsync(_app, tenantId, agent, "agent");
        return (tenantId, await UserSessions.LoginAsync(_app, admin), await UserSessions.LoginAsync(_app, agent));
    }

    [Test]
    public async Task Create_List_Patch_Delete_RoundTrip()
    {
        var (tenantId, admin, agent) = await TenantAsync();
        var path = $"/api/tenants/{tenantId}/saved-replies";
        var hours = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path,
            new { shortcut = "hours", text = "Olá {{contact_name}}, abrimos às 9h. {{agent_name}}" }), 201);
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path, new { shortcut = "address", text = "Rua das Flores, 10." }), 201);
        var id = hours.GetProperty("id").GetInt64();
        Assert.That(hours.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));

        var list = await admin.GetJsonAsync(path);
        Assert.That(list.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("shortcut").GetString()), Is.EqualTo(new[] { "address", "hours" }),
            "by shortcut");

        var changed = await ApiAssert.StatusAsync(await admin.PatchJsonAsync($"{path}/{id}", """{"text": "Abrimos às 8h, {{ contact_name }}."}"""), 200);
        Assert.That(changed.GetProperty("shortcut").GetString(), Is.EqualTo("hours"), "an absent field is kept");
        Assert.That(changed.GetProperty("text").GetString(), Is.EqualTo("Abrimos às 8h, {{ contact_name }}."));
        var renamed = await ApiAssert.StatusAsync(await admin.PatchJsonAsync($"{path}/{id}", """{"shortcut": "horario"}"""), 200);
        Assert.That(renamed.GetProperty("text").GetString(), Is.EqualTo("Abrimos às 8h, {{ contact_name }}."));

        var forAgents = await agent.GetJsonAsync("/api/inbox/saved-replies");
        Assert.That(forAgents.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("shortcut").GetString()), Is.EqualTo(new[] { "address", "horario" }));

        await ApiAssert.StatusAsync(await admin.DeleteAsync($"{path}/{id}"), 204);
        await ApiAssert.ProblemAsync(await admin.DeleteAsync($"{path}/{id}"), 404);
        await ApiAssert.ProblemAsync(await admin.PatchJsonAsync($"{path}/{id}", """{"text": "x"}"""), 404);
        Assert.That((await admin.GetJsonAsync(path)).GetProperty("items").GetArrayLength(), Is.EqualTo(1));
    }

    [Test]
    public async Task AShortcut_IsUniquePerTenant_On_CreateAndPatch_ButFreeInAnotherTenant()
    {
        var (tenantId, admin, _) = await TenantAsync();
        var path = $"/api/tenants/{tenantId}/saved-replies";
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path, new { shortcut = "pix", text = "Nossa chave Pix é ..." }), 201);
        var other = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path, new { shortcut = "boleto", text = "Enviamos o boleto." }), 201);

        var taken = await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { shortcut = "pix", text = "outra" }), 409);
        Assert.That(taken.GetProperty("code").GetString(), Is.EqualTo("shortcut_taken"));
        await ApiAssert.ProblemAsync(await admin.PatchJsonAsync($"{path}/{other.GetProperty("id").GetInt64()}", """{"shortcut": "pix"}"""), 409);

        var (otherTenant, otherAdmin, _) = await TenantAsync();
        await ApiAssert.StatusAsync(await otherAdmin.PostAsJsonAsync($"/api/tenants/{otherTenant}/saved-replies", new { shortcut = "pix", text = "Outra loja." }), 201);
    }

    [TestCase("""{"shortcut": "", "text": "x"}""", "shortcut")]
    [TestCase("""{"shortcut": "Hours", "text": "x"}""", "shortcut")]
    [TestCase("""{"shortcut": "com espaço", "text": "x"}""", "shortcut")]
    [TestCase("""{"shortcut": "/hours", "text": "x"}""", "shortcut")]
    [TestCase("""{"shortcut": "abcdefghijabcdefghijabcdefghijabc", "text": "x"}""", "shortcut")]
    [TestCase("""{"text": "x"}""", "shortcut")]
    [TestCase("""{"shortcut": "ok"}""", "text")]
    [TestCase("""{"shortcut": "ok", "text": "  "}""", "text")]
    [TestCase("""{"shortcut": "ok", "text": "Olá {{nome}}"}""", "text")]
    public async Task Create_OfBadInput_Is400NamingTheField(string json, string field)
    {
        var (tenantId, admin, _) = await TenantAsync();
        await ApiAssert.ProblemAsync(await admin.SendJsonAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/saved-replies", json), 400, field);
    }

    [Test]
    public async Task Create_OfAnOversizedText_Or_APatchOfNothing_Is400()
    {
        var (tenantId, admin, _) = await TenantAsync();
        var path = $"/api/tenants/{tenantId}/saved-replies";
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { shortcut = "long", text = new string('a', 4097) }), 400, "text");
        var reply = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path, new { shortcut = "short", text = "ok" }), 201);
        await ApiAssert.ProblemAsync(await admin.PatchJsonAsync($"{path}/{reply.GetProperty("id").GetInt64()}", "{}"), 400);
    }

    [Test]
    public async Task AnotherTenant_SeesNone_AndGets404_AndAnAgentMayOnlyRead()
    {
        var (tenantId, admin, agent) = await TenantAsync();
        var path = $"/api/tenants/{tenantId}/saved-replies";
        var reply = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync(path, new { shortcut = "secret", text = "Só desta loja." }), 201);
        var replyPath = $"{path}/{reply.GetProperty("id").GetInt64()}";

        var (otherTenant, otherAdmin, otherAgent) = await TenantAsync();
        await ApiAssert.ProblemAsync(await otherAdmin.GetAsync(path), 404);
        await ApiAssert.ProblemAsync(await otherAdmin.PostAsJsonAsync(path, new { shortcut = "x", text = "y" }), 404);
        await ApiAssert.ProblemAsync(await otherAdmin.PatchJsonAsync(replyPath, """{"text": "hacked"}"""), 404);
        await ApiAssert.ProblemAsync(await otherAdmin.DeleteAsync(replyPath), 404);
        // The reply's id under the other tenant's own path is not found either.
        await ApiAssert.ProblemAsync(await otherAdmin.DeleteAsync($"/api/tenants/{otherTenant}/saved-replies/{reply.GetProperty("id").GetInt64()}"), 404);
        Assert.That((await otherAgent.GetJsonAsync("/api/inbox/saved-replies")).GetProperty("items").GetArrayLength(), Is.Zero);
        await ApiAssert.ProblemAsync(await otherAgent.GetAsync($"/api/inbox/saved-replies?tenant_id={tenantId}"), 404);

        await ApiAssert.ProblemAsync(await agent.PostAsJsonAsync(path, new { shortcut = "mine", text = "y" }), 403);
        await ApiAssert.ProblemAsync(await agent.DeleteAsync(replyPath), 403);
        Assert.That((await agent.GetJsonAsync("/api/inbox/saved-replies")).GetProperty("items").GetArrayLength(), Is.EqualTo(1));
        Assert.That((await admin.GetJsonAsync(path)).GetProperty("items")[0].GetProperty("text").GetString(), Is.EqualTo("Só desta loja."));
    }

    [Test]
    public async Task ThePlatformAdmin_NamesTheTenant_ForTheAgentsList()
    {
        var (tenantId, admin, _) = await TenantAsync();
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/saved-replies", new { shortcut = "oi", text = "Olá!" }), 201);
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/inbox/saved-replies"), 400, "tenant_id");
        var list = await _app.Admin.GetJsonAsync($"/api/inbox/saved-replies?tenant_id={tenantId}");
        Assert.That(list.GetProperty("items")[0].GetProperty("shortcut").GetString(), Is.EqualTo("oi"));
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/inbox/saved-replies?tenant_id=999999999"), 404);
    }

    [Test]
    public async Task DeletingTheTenant_DeletesItsSavedReplies()
    {
        var (tenantId, admin, _) = await TenantAsync();
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/saved-replies", new { shortcut = "bye", text = "Tchau!" }), 201);
        await ApiAssert.StatusAsync(await _app.Admin.DeleteAsync($"/api/tenants/{tenantId}"), 204);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM saved_replies WHERE tenant_id = $1", tenantId), Is.Zero);
    }
}
