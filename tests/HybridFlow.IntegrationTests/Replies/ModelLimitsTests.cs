using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Operations;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Replies;

/// <summary>
/// Issue 19 items 2 and 3, end to end against the fake model servers over real HTTP, for both providers: a reply cut at
/// the token limit is never sent as it is, and an account out of credit is not a rate limit.
/// </summary>
public sealed class ModelLimitsTests
{
    private const string WholeReply = "Abrimos às 7h e fechamos às 19h. No domingo abrimos só de manhã.";

    private FakeLlmServer _anthropic = null!;

    [OneTimeSetUp]
    public async Task StartAnthropicAsync() => _anthropic = await FakeLlmServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopAnthropicAsync() => await _anthropic.DisposeAsync();

    [SetUp]
    public void ResetAnthropic() => _anthropic.Reset();

    /// <summary>The OpenAI fake is the app's own; the Anthropic one is this fixture's, both on the platform's keys.</summary>
    private Task<HybridFlowApp> StartAsync() => HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        ["LLM_MAX_TOKENS"] = "300",
        ["ANTHROPIC_API_KEY"] = "sk-ant-test-not-a-real-key",
        ["ANTHROPIC_BASE_URL"] = _anthropic.BaseAddress.ToString(),
    });

    private FakeLlmServer Fake(HybridFlowApp app, string provider) => provider == "openai" ? app.Llm : _anthropic;

    private static async Task<string> ChatAsync(HybridFlowApp app, string instance, string text = "A que horas vocês abrem?")
    {
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, text)), Is.EqualTo("ai_queued"));
        return chat;
    }

    private static Task<string?> DetailAsync(HybridFlowApp app, string chat, string action) => app.ScalarAsync<string>(
        "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = $2 ORDER BY e.id LIMIT 1",
        chat, action);

    [TestCase("openai")]
    [TestCase("anthropic")]
    public async Task ReplyCutAtTheLimit_IsWrittenAgainWithTwiceTheTokens_AndSentWhole(string provider)
    {
        await using var app = await StartAsync();
        var fake = Fake(app, provider);
        fake.ReplyText = WholeReply;
        fake.FitsInTokens = 600;
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { llm_provider = provider, debounce_seconds = 0 });

        var chat = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the reply sent");
        // The send reaches Evolution before the worker has recorded it.
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, chat)).Contains("ai_replied"), "the reply recorded");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo(WholeReply));
            Assert.That(fake.Requests.Select(FakeLlmServer.MaxTokens), Is.EqualTo(new int?[] { 300, 600 }));
            Assert.That(await DetailAsync(app, chat, "ai_truncated"), Is.EqualTo("regenerated"));
            Assert.That(await app.TimelineAsync(instance, chat), Does.Contain("ai_replied"));
        }
    }

    [TestCase("openai")]
    [TestCase("anthropic")]
    public async Task ReplyStillCutWithTwiceTheTokens_IsSentUpToItsLastCompleteSentence(string provider)
    {
        await using var app = await StartAsync();
        var fake = Fake(app, provider);
        fake.FitsInTokens = 100_000;
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { llm_provider = provider, debounce_seconds = 0 });

        var chat = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the reply sent");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Abrimos às 7h. Fechamos às 19h."),
                $"not the half sentence of \"{fake.TruncatedText}\"");
            Assert.That(fake.Requests, Has.Count.EqualTo(2));
            Assert.That(await DetailAsync(app, chat, "ai_truncated"), Is.EqualTo("cut"));
        }
    }

    [TestCase("openai")]
    [TestCase("anthropic")]
    public async Task EmptyAccountOnThePlatformKey_FailsTheJob_NeedsAPerson_AndHoldsTheProviderOff(string provider)
    {
        await using var app = await StartAsync();
        var fake = Fake(app, provider);
        fake.AccountExhausted = true;
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { llm_provider = provider, debounce_seconds = 0 });
        var before = await ScrapeAsync(app);

        var first = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, first)).Contains("ai_failed"), "the job failed");
        var session = await app.GetSessionAsync(instance, first);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await DetailAsync(app, first, "ai_failed"), Does.Contain("out of credit"));
            Assert.That(await app.TimelineAsync(instance, first), Does.Not.Contain("ai_rate_limited").And.Not.Contain("ai_retry"));
            Assert.That(session.GetProperty("needs_attention").GetBoolean(), Is.True);
            Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.False);
            Assert.That(fake.Requests, Has.Count.EqualTo(1));
        }

        // Meanwhile the provider is not asked job by job: the next job fails the same way at once.
        var second = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, second)).Contains("ai_failed"), "the second job failed");
        var health = await app.Admin.GetFromJsonAsync<JsonElement>("/health");
        var after = await ScrapeAsync(app);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fake.Requests, Has.Count.EqualTo(1), "the second job did not call the model");
            Assert.That((await app.GetSessionAsync(instance, second)).GetProperty("needs_attention").GetBoolean(), Is.True);
            Assert.That(health.GetProperty("checks").GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("degraded"));
            Assert.That(after.ValueOrZero("hybridflow_llm_errors_total", ("kind", "account"), ("provider", provider))
                        - before.ValueOrZero("hybridflow_llm_errors_total", ("kind", "account"), ("provider", provider)), Is.EqualTo(2));
        }

        // LLM_ACCOUNT_RETRY_MINUTES (10) later, the account is tried again.
        fake.AccountExhausted = false;
        app.Clock.Advance(TimeSpan.FromMinutes(11));
        var third = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(third).Count == 1, "answered once the account is tried again");
        var healthy = await app.Admin.GetFromJsonAsync<JsonElement>("/health");
        Assert.That(healthy.GetProperty("checks").GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("ok"));
    }

    [Test]
    public async Task EmptyAccountOnATenantsOwnKey_FailsItsJob_ButDoesNotHoldThePlatformOff()
    {
        await using var app = await StartAsync();
        app.Llm.AccountExhausted = true;
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new
        {
            debounce_seconds = 0,
            llm_api_key = "sk-tenant-own-key-0123456789",
            llm_base_url = app.Llm.OpenAiBaseUrl.ToString(),
        });

        var first = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, first)).Contains("ai_failed"), "the job failed");
        var second = await ChatAsync(app, instance);
        await HybridFlowApp.EventuallyAsync(async () => (await app.TimelineAsync(instance, second)).Contains("ai_failed"), "the second job failed");

        var health = await app.Admin.GetFromJsonAsync<JsonElement>("/health");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(app.Llm.Requests, Has.Count.EqualTo(2), "a tenant's own account is asked each time");
            Assert.That((await app.GetSessionAsync(instance, first)).GetProperty("needs_attention").GetBoolean(), Is.True);
            Assert.That(health.GetProperty("checks").GetProperty("llm").GetProperty("status").GetString(), Is.EqualTo("ok"));
        }
    }

    private static async Task<PrometheusText> ScrapeAsync(HybridFlowApp app) => PrometheusText.Parse(await app.Client.GetStringAsync("/metrics"));
}
