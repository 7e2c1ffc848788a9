using HybridFlow.IntegrationTests.Support;
using NUnit.Framework;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>
/// Item 6 end to end: a tenant's llm_api_key / llm_base_url, set through PATCH /api/tenants, is what that tenant's
/// replies call the model with; other tenants keep the platform's account; a rejected or refused tenant account makes
/// the job fail for good with a message that names the problem and never the key.
/// </summary>
public sealed class TenantModelAccountTests
{
    private const string PlatformKey = "sk-test-not-a-real-key"; // HybridFlowApp's OPENAI_API_KEY
    private const string TenantKey = "sk-tenant-own-account-0123456789abcdef";

    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Llm.Reset();

    private async Task PatchTenantAsync(long tenantId, string json) =>
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", json), 200);

    private static string Job(string column) =>
        $"SELECT j.{column} FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 ORDER BY j.id DESC LIMIT 1";

    private Task<string?> FailureDetailAsync(string chat) => _app.ScalarAsync<string>(
        "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'ai_failed'", chat);

    [Test]
    public async Task Reply_ForATenantWithItsOwnKey_CallsTheModelWithIt_AndOthersWithThePlatformKey()
    {
        var (ownId, own) = await _app.CreateTenantWithInstanceAsync(new { name = "Conta Própria" });
        var (_, platform) = await _app.CreateTenantWithInstanceAsync(new { name = "Conta da Plataforma" });
        await PatchTenantAsync(ownId, $$"""{"llm_api_key": "{{TenantKey}}"}""");
        var ownChat = Payloads.NewChatId();
        var platformChat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(own, Payloads.CustomerText(ownChat, "Oi, conta própria")), Is.EqualTo("ai_queued"));
        Assert.That(await _app.DeliverAsync(platform, Payloads.CustomerText(platformChat, "Oi, conta da plataforma")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(ownChat).Count == 1 && _app.Evolution.SendsTo(platformChat).Count == 1,
            "both answered", TimeSpan.FromSeconds(30));

        var ownCall = _app.Llm.Requests.Single(r => r.Body.Contains("conta própria", StringComparison.Ordinal));
        var platformCall = _app.Llm.Requests.Single(r => r.Body.Contains("conta da plataforma", StringComparison.Ordinal));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ownCall.ApiKey, Is.EqualTo(TenantKey));
            Assert.That(ownCall.Headers.Values, Has.None.Contains(PlatformKey));
            Assert.That(platformCall.ApiKey, Is.EqualTo(PlatformKey));
            Assert.That(platformCall.Headers.Values, Has.None.Contains(TenantKey));
        }
    }

    [Test]
    public async Task Reply_WhenTheProviderRejectsTheTenantKey_FailsForGood_NamingTheKeyButNeverShowingIt()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { name = "Chave Errada" });
        await PatchTenantAsync(tenantId, $$"""{"llm_api_key": "{{TenantKey}}"}""");
        _app.Llm.StatusCode = 401;
        _app.Llm.ErrorMessage = $"Incorrect API key provided: {TenantKey[..6]}***{TenantKey[^4..]}";
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed",
            TimeSpan.FromSeconds(30));

        var lastError = await _app.ScalarAsync<string>(Job("last_error"), chat);
        var detail = await FailureDetailAsync(chat);
        var tenant = await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _app.ScalarAsync<string>(Job("status"), chat), Is.EqualTo("dead"));
            Assert.That(await _app.ScalarAsync<int>(Job("attempts"), chat), Is.EqualTo(1), "a rejected key is not retried");
            Assert.That(lastError, Does.Contain("tenant's own API key").And.Contain("HTTP 401"));
            Assert.That(detail, Does.Contain("tenant's own API key"));
            foreach (var text in new[] { lastError, detail })
            {
                Assert.That(text, Does.Not.Contain(TenantKey).And.Not.Contain(TenantKey[^4..]).And.Not.Contain("Incorrect API key"));
            }
            Assert.That(tenant.GetProperty("llm_api_key").GetString(), Does.Not.Contain(TenantKey), "shown masked");
            Assert.That(_app.Evolution.SendsTo(chat), Is.Empty);
        }
    }

    [Test]
    public async Task Reply_ToATenantBaseUrlTheAdminSet_IsCalledThere()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { name = "Gateway Próprio" });
        // The platform admin's save is trusted, so a loopback gateway is allowed.
        await PatchTenantAsync(tenantId, $$"""{"llm_api_key": "{{TenantKey}}", "llm_base_url": "{{_app.Llm.OpenAiBaseUrl}}"}""");
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, gateway")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "answered", TimeSpan.FromSeconds(30));

        Assert.That(_app.Llm.Requests.Single(r => r.Body.Contains("Oi, gateway", StringComparison.Ordinal)).ApiKey, Is.EqualTo(TenantKey));
    }

    [Test]
    public async Task Reply_ToAnUntrustedTenantBaseUrlNowOnLoopback_IsRefusedAtConnect_AndFailsForGood()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { name = "Gateway Rebind" });
        await PatchTenantAsync(tenantId, $$"""{"llm_api_key": "{{TenantKey}}"}""");
        // As if a tenant key saved a public name that now resolves to loopback (DNS rebinding).
        await _app.ScalarAsync<int>("UPDATE tenants SET llm_base_url = $2, llm_base_url_trusted = false WHERE id = $1",
            tenantId, $"http://localhost:{_app.Llm.BaseAddress.Port}/v1");
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, rebind")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed",
            TimeSpan.FromSeconds(30));

        var detail = await FailureDetailAsync(chat);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _app.ScalarAsync<int>(Job("attempts"), chat), Is.EqualTo(1), "not retried");
            Assert.That(detail, Does.Contain("llm_base_url").And.Contain("private"));
            Assert.That(detail, Does.Not.Contain(TenantKey));
            Assert.That(_app.Llm.Requests.Where(r => r.Body.Contains("Oi, rebind", StringComparison.Ordinal)), Is.Empty, "nothing reached the model");
        }
    }
}
