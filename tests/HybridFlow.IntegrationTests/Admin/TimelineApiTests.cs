using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>GET /api/events: one chat's messages and actions merged, oldest first, paged, tenant-isolated.</summary>
public sealed class TimelineApiTests
{
    private const string CustomerText = "Oi, vocês abrem amanhã?";
    private const string OwnerText = "Abrimos sim, às 7h!";
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private long _sessionId;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        (_tenantId, var instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, CustomerText)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_replied"), "the bot replied");
        // WhatsApp timestamps have whole seconds: the owner's message falls in a later second than the bot's reply, on the
        // app's clock (which stamps the bot's message and the actions).
        _app.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chat, OwnerText, at: _app.Clock.GetUtcNow())), Is.EqualTo("paused"));
        _sessionId = (await _app.GetSessionAsync(instance, chat)).GetProperty("id").GetInt64();
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync($"/api/sessions/{_sessionId}/resume", null), 200);
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private static string Describe(JsonElement item) => item.GetProperty("kind").GetString() == "message"
        ? "message:" + item.GetProperty("direction").GetString()
        : "event:" + item.GetProperty("action").GetString();

    [Test]
    public async Task Timeline_MergesMessagesAndActions_OldestFirst()
    {
        var page = await _app.Admin.GetJsonAsync($"/api/events?session_id={_sessionId}&tenant_id={_tenantId}");
        var items = page.GetProperty("items").EnumerateArray().ToList();

        Assert.That(items.Select(Describe), Is.EqualTo(new[]
        {
            "message:inbound", "event:ai_queued", "message:bot", "event:ai_replied", "message:human", "event:paused", "event:resumed",
        }));
        Assert.That(page.GetProperty("total").GetInt64(), Is.EqualTo(items.Count));
        Assert.That(items.Select(i => i.GetProperty("at").GetDateTimeOffset()), Is.Ordered);

        var inbound = items[0];
        Assert.That(inbound.GetProperty("text").GetString(), Is.EqualTo(CustomerText));
        Assert.That(inbound.GetProperty("message_type").GetString(), Is.EqualTo("conversation"));
        Assert.That(inbound.GetProperty("provider_message_id").GetString(), Is.Not.Empty);
        Assert.That(inbound.GetProperty("action").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(items[1].GetProperty("message_id").GetInt64(), Is.EqualTo(inbound.GetProperty("id").GetInt64()), "the event points at its message");
        Assert.That(items[1].GetProperty("text").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(items[2].GetProperty("text").GetString(), Is.EqualTo(_app.Llm.ReplyText));
        Assert.That(items[2].GetProperty("provider_message_id").GetString(), Does.StartWith("3EB0"));
        Assert.That(items[3].GetProperty("message_id").GetInt64(), Is.EqualTo(items[2].GetProperty("id").GetInt64()));
        Assert.That(items[4].GetProperty("text").GetString(), Is.EqualTo(OwnerText));
        Assert.That(items[5].GetProperty("message_id").GetInt64(), Is.EqualTo(items[4].GetProperty("id").GetInt64()));
        Assert.That(items[6].GetProperty("message_id").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Timeline_IsPaged_WithoutGapsOrRepeats()
    {
        var all = (await _app.Admin.GetJsonAsync($"/api/events?session_id={_sessionId}&page_size=200")).GetProperty("items")
            .EnumerateArray().Select(i => Describe(i) + "#" + i.GetProperty("id").GetInt64()).ToList();
        var paged = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var json = await _app.Admin.GetJsonAsync($"/api/events?session_id={_sessionId}&page={page}&page_size=3");
            Assert.That(json.GetProperty("page").GetInt32(), Is.EqualTo(page));
            Assert.That(json.GetProperty("page_size").GetInt32(), Is.EqualTo(3));
            Assert.That(json.GetProperty("total").GetInt64(), Is.EqualTo(all.Count));
            paged.AddRange(json.GetProperty("items").EnumerateArray().Select(i => Describe(i) + "#" + i.GetProperty("id").GetInt64()));
        }
        Assert.That(paged, Is.EqualTo(all));
    }

    [Test]
    public async Task Timeline_CanBeReadByTheTenantsAgent()
    {
        var agent = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantId, "agent"));
        var page = await agent.GetJsonAsync($"/api/events?session_id={_sessionId}");
        Assert.That(page.GetProperty("items").GetArrayLength(), Is.EqualTo(7));
    }

    [TestCase("", "session_id")]
    [TestCase("session_id=0", "session_id")]
    [TestCase("session_id=abc", "session_id")]
    [TestCase("session_id=1&page=0", "page")]
    [TestCase("session_id=1&page_size=201", "page_size")]
    [TestCase("session_id=1&tenant_id=-1", "tenant_id")]
    public async Task Timeline_WithBadQuery_Is400_NamingTheParameter(string query, string field) =>
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync($"/api/events?{query}"), 400, field);

    [Test]
    public async Task Timeline_UnknownSession_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync("/api/events?session_id=999999"), 404);

    [Test]
    public async Task Timeline_WithoutKey_Is401() =>
        await ApiAssert.ProblemAsync(await _app.Client.GetAsync($"/api/events?session_id={_sessionId}"), 401);

    [Test]
    public async Task Timeline_OfAnotherTenantsSession_Is404()
    {
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var otherKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(otherTenant, "tenant_admin"));
        await ApiAssert.ProblemAsync(await otherKey.GetAsync($"/api/events?session_id={_sessionId}"), 404);
        await ApiAssert.ProblemAsync(await otherKey.GetAsync($"/api/events?session_id={_sessionId}&tenant_id={_tenantId}"), 404);
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync($"/api/events?session_id={_sessionId}&tenant_id={otherTenant}"), 404);
    }
}
