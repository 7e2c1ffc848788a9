using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Operations;

/// <summary>
/// Rate limits with tiny budgets: per API key on the admin area, per instance for authenticated webhook deliveries on either
/// route. Each test uses partitions of its own, all well inside one one-minute window.
/// </summary>
public sealed class RateLimitTests
{
    private const int ApiLimit = 8;
    private const int WebhookLimit = 3;
    private HybridFlowApp _app = null!;
    private string _instanceA = "";
    private string _instanceB = "";
    private string _instanceC = "";
    private string _keyA = "";
    private string _keyB = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["RATE_LIMIT_API_PER_MINUTE"] = ApiLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RATE_LIMIT_WEBHOOK_PER_MINUTE"] = WebhookLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // Three tenants with an instance each and two keys: eight calls, the admin key's whole budget (it is not used below).
        long tenantId;
        (tenantId, _instanceA) = await _app.CreateTenantWithInstanceAsync();
        (_, _instanceB) = await _app.CreateTenantWithInstanceAsync();
        (_, _instanceC) = await _app.CreateTenantWithInstanceAsync();
        _keyA = await CreateKeyAsync(tenantId, "key a");
        _keyB = await CreateKeyAsync(tenantId, "key b");
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<string> CreateKeyAsync(long tenantId, string name)
    {
        var response = await _app.Admin.PostAsJsonAsync($"/api/tenants/{tenantId}/api-keys", new { name, role = "tenant_admin" });
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private Task<HttpResponseMessage> GetWithKeyAsync(string? key, string path = "/api/tenants")
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return _app.Client.SendAsync(request);
    }

    private static async Task AssertTooManyRequestsAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(429), body);
        Assert.That(response.Headers.RetryAfter?.Delta, Is.Not.Null, "Retry-After in seconds");
        Assert.That(response.Headers.RetryAfter!.Delta!.Value.TotalSeconds, Is.InRange(1, 60));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(429));
        Assert.That(problem.GetProperty("title").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task AdminArea_IsLimitedPerApiKey()
    {
        for (var i = 0; i < ApiLimit; i++)
            Assert.That((int)(await GetWithKeyAsync(_keyA)).StatusCode, Is.EqualTo(200), $"call {i + 1} of key A");
        await AssertTooManyRequestsAsync(await GetWithKeyAsync(_keyA));
        await AssertTooManyRequestsAsync(await GetWithKeyAsync(_keyA, "/sessions/x/5511999990001@s.whatsapp.net"));

        Assert.That((int)(await GetWithKeyAsync(_keyB)).StatusCode, Is.EqualTo(200), "another key has its own budget");
        Assert.That((int)(await _app.Client.GetAsync("/health")).StatusCode, Is.EqualTo(200), "health is not limited");
    }

    [Test]
    public async Task AdminArea_CallersWithoutAValidKey_ShareOneBudgetPerAddress_SoGuessingKeysDoesNotHelp()
    {
        for (var i = 0; i < ApiLimit; i++)
        {
            var guess = i % 2 == 0 ? null : "hf_guess_" + i;
            Assert.That((int)(await GetWithKeyAsync(guess)).StatusCode, Is.EqualTo(401), $"call {i + 1}");
        }
        await AssertTooManyRequestsAsync(await GetWithKeyAsync("hf_another_guess"));
        await AssertTooManyRequestsAsync(await GetWithKeyAsync(null));
    }

    [Test]
    public async Task Webhook_IsLimitedPerInstance_AndARefusedDeliveryStoresNothing()
    {
        for (var i = 0; i < WebhookLimit; i++)
            Assert.That(await _app.DeliverAsync(_instanceA, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"));

        var refusedChat = Payloads.NewChatId();
        await AssertTooManyRequestsAsync(await _app.PostWebhookAsync(_instanceA, Payloads.CustomerText(refusedChat, "Oi")));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", refusedChat), Is.EqualTo(0));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1", refusedChat),
            Is.EqualTo(0));

        Assert.That(await _app.DeliverAsync(_instanceB, Payloads.CustomerText(Payloads.NewChatId(), "Oi")), Is.EqualTo("ai_queued"),
            "another instance has its own budget");
    }

    [Test]
    public async Task SharedWebhookRoute_SpendsTheSameInstanceBudget_AsThePathRoute()
    {
        for (var i = 0; i < WebhookLimit; i++)
        {
            var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instanceC);
            var response = i == 0
                ? await _app.PostWebhookAsync(_instanceC, payload)
                : await _app.PostRawWebhookAsync("/webhooks/evolution", payload.ToJsonString());
            Assert.That((int)response.StatusCode, Is.EqualTo(200), await response.Content.ReadAsStringAsync());
        }
        var refused = Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(_instanceC);
        await AssertTooManyRequestsAsync(await _app.PostRawWebhookAsync("/webhooks/evolution", refused.ToJsonString()));
        await AssertTooManyRequestsAsync(await _app.PostWebhookAsync(_instanceC, Payloads.CustomerText(Payloads.NewChatId(), "Oi")));
    }
}
