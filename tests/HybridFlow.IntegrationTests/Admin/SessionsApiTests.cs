using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>GET /api/sessions: newest activity first, state filter, paging, tenant isolation.</summary>
public sealed class SessionsApiTests
{
    private HybridFlowApp _app = null!;
    private long _tenantA;
    private long _tenantB;
    private string _older = "";
    private string _paused = "";
    private string _newest = "";
    private string _otherTenantsChat = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        // Mode off: no bot replies, so each chat's last activity is exactly its customer's message.
        (_tenantA, var instanceA) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        (_tenantB, var instanceB) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var now = DateTimeOffset.UtcNow;
        (_older, _paused, _newest, _otherTenantsChat) = (Payloads.NewChatId(), Payloads.NewChatId(), Payloads.NewChatId(), Payloads.NewChatId());
        await _app.DeliverAsync(instanceA, Payloads.CustomerText(_older, "primeira", at: now.AddMinutes(-30)));
        await _app.DeliverAsync(instanceA, Payloads.CustomerText(_paused, "segunda", at: now.AddMinutes(-20)));
        await _app.DeliverAsync(instanceA, Payloads.CustomerText(_newest, "terceira", at: now.AddMinutes(-10)));
        await _app.DeliverAsync(instanceB, Payloads.CustomerText(_otherTenantsChat, "outra loja", at: now));
        var pausedId = (await _app.GetSessionAsync(instanceA, _paused)).GetProperty("id").GetInt64();
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{pausedId}/pause", null), 200);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static List<string> ChatIds(JsonElement page) => page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("chat_id").GetString()!).ToList();

    [Test]
    public async Task List_ShowsTheTenantsSessions_NewestActivityFirst()
    {
        var page = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}");
        Assert.That(ChatIds(page), Is.EqualTo(new[] { _newest, _paused, _older }));
        Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(3));
        Assert.That(page.GetProperty("page").GetInt32(), Is.EqualTo(1));
        Assert.That(page.GetProperty("page_size").GetInt32(), Is.EqualTo(50));
        var first = page.GetProperty("items")[0];
        Assert.That(first.GetProperty("tenant_id").GetInt64(), Is.EqualTo(_tenantA));
        Assert.That(first.GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(first.GetProperty("last_message_at").GetDateTimeOffset(), Is.GreaterThan(page.GetProperty("items")[1].GetProperty("last_message_at").GetDateTimeOffset()));
    }

    [Test]
    public async Task List_FiltersByState()
    {
        var paused = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&state=paused");
        Assert.That(ChatIds(paused), Is.EqualTo(new[] { _paused }));
        Assert.That(paused.GetProperty("items")[0].GetProperty("pause_reason").GetString(), Is.EqualTo("manual"));
        Assert.That(paused.GetProperty("total").GetInt64(), Is.EqualTo(1));

        var active = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&state=active");
        Assert.That(ChatIds(active), Is.EqualTo(new[] { _newest, _older }));
    }

    [Test]
    public async Task List_IsPaged()
    {
        var first = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&page=1&page_size=2");
        var second = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&page=2&page_size=2");
        var beyond = await _app.Admin.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&page=3&page_size=2");
        Assert.That(ChatIds(first), Is.EqualTo(new[] { _newest, _paused }));
        Assert.That(ChatIds(second), Is.EqualTo(new[] { _older }));
        Assert.That(ChatIds(beyond), Is.Empty);
        Assert.That(second.GetProperty("total").GetInt64(), Is.EqualTo(3));
        Assert.That(second.GetProperty("page").GetInt32(), Is.EqualTo(2));
        Assert.That(second.GetProperty("page_size").GetInt32(), Is.EqualTo(2));
    }

    [Test]
    public async Task List_WithThePlatformKey_AndNoTenant_ShowsAllTenants()
    {
        var all = await _app.Admin.GetJsonAsync("/api/sessions?page_size=200");
        Assert.That(ChatIds(all), Is.SupersetOf(new[] { _newest, _paused, _older, _otherTenantsChat }));
        Assert.That(ChatIds(all)[0], Is.EqualTo(_otherTenantsChat));
    }

    [TestCase("agent")]
    [TestCase("tenant_admin")]
    public async Task List_WithATenantKey_ShowsOnlyItsOwnTenant(string role)
    {
        var key = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantA, role));
        Assert.That(ChatIds(await key.GetJsonAsync("/api/sessions")), Is.EqualTo(new[] { _newest, _paused, _older }));
        Assert.That(ChatIds(await key.GetJsonAsync($"/api/sessions?tenant_id={_tenantA}&state=paused")), Is.EqualTo(new[] { _paused }));
    }

    [Test]
    public async Task List_WithAnotherTenantsKey_Is404()
    {
        var otherKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantB, "tenant_admin"));
        await ApiAssert.ProblemAsync(await otherKey.GetAsync($"/api/sessions?tenant_id={_tenantA}"), 404);
        Assert.That(ChatIds(await otherKey.GetJsonAsync("/api/sessions")), Is.EqualTo(new[] { _otherTenantsChat }));
    }

    [TestCase("state=sleeping", "state")]
    [TestCase("state=PAUSED", "state")]
    [TestCase("page=0", "page")]
    [TestCase("page=abc", "page")]
    [TestCase("page_size=0", "page_size")]
    [TestCase("page_size=201", "page_size")]
    [TestCase("tenant_id=0", "tenant_id")]
    [TestCase("tenant_id=x", "tenant_id")]
    public async Task List_WithBadQuery_Is400_NamingTheParameter(string query, string field) =>
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync($"/api/sessions?{query}"), 400, field);

    [Test]
    public async Task List_UnknownTenant_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/sessions?tenant_id=999999"), 404);

    [Test]
    public async Task List_WithoutKey_Is401() =>
        await ApiAssert.ProblemAsync(await _app.Client.GetAsync($"/api/sessions?tenant_id={_tenantA}"), 401);
}
