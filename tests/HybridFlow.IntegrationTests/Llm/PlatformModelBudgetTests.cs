using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>
/// Issue 17 F8, the platform's model budget, over HTTP with the fake model: LLM_ALLOWED_MODELS limits what a tenant on the
/// platform's key may choose (its own llm_api_key frees it), a model no longer allowed falls back to the default, and a
/// monthly_token_budget that only the platform admin sets hands chats to a person once the month's platform tokens reach it.
/// </summary>
public sealed class PlatformModelBudgetTests
{
    private const string ExtraAllowed = "gpt-allowed-extra";
    private const string TenantKey = "sk-tenant-own-account-0123456789abcdef";

    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        // Besides the configured gpt-test (OPENAI_MODEL), whisper-1 and claude-sonnet-4-5, which are always allowed.
        ["LLM_ALLOWED_MODELS"] = $"openai:{ExtraAllowed}",
    });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
    }

    private async Task<HttpClient> TenantAdminAsync(long tenantId) => _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));

    private Task<string?> HandoffDetailAsync(string chat) => _app.ScalarAsync<string>(
        "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'handoff_requested' ORDER BY e.id LIMIT 1",
        chat);

    private async Task CustomerIsAnsweredAsync(string instance, string chat, string text)
    {
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, text)), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_replied"), "the reply sent", TimeSpan.FromSeconds(30));
    }

    private async Task<double> BudgetHandoffsCountedAsync()
    {
        var metrics = await (await _app.Client.GetAsync("/metrics")).Content.ReadAsStringAsync();
        var line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("hybridflow_budget_handoffs_total", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [TestCase("llm_model", "o1-pro")]
    [TestCase("vision_model", "gpt-4o")]
    [TestCase("transcription_model", "gpt-4o-transcribe")]
    public async Task Patch_AModelNotInTheAllowList_OnThePlatformsKey_Is400NamingTheField(string field, string model)
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = await TenantAdminAsync(tenantId);

        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}", $$"""{"{{field}}": "{{model}}"}"""), 400, field);
        // The same rule binds the platform admin: it is about money on the platform's key.
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", $$"""{"{{field}}": "{{model}}"}"""), 400, field);

        var stored = await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}");
        Assert.That(stored.GetProperty(field).ValueKind, Is.EqualTo(JsonValueKind.Null), "nothing was saved");
    }

    [Test]
    public async Task Patch_AListedOrConfiguredModel_IsAccepted()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = await TenantAdminAsync(tenantId);

        var patched = await ApiAssert.StatusAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}",
            $$"""{"llm_model": "{{ExtraAllowed}}", "vision_model": "gpt-test", "transcription_model": "whisper-1"}"""), 200);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(patched.GetProperty("llm_model").GetString(), Is.EqualTo(ExtraAllowed));
            Assert.That(patched.GetProperty("llm_model_effective").GetString(), Is.EqualTo(ExtraAllowed));
            Assert.That(patched.GetProperty("model_fallback").ValueKind, Is.EqualTo(JsonValueKind.Null));
        }
    }

    [Test]
    public async Task Create_AModelNotInTheAllowList_Is400NamingTheField()
    {
        var response = await _app.Admin.PostAsJsonAsync("/api/tenants", new { name = "Modelo Caro", llm_model = "o1-pro" });
        await ApiAssert.ProblemAsync(response, 400, "llm_model");
    }

    [Test]
    public async Task Patch_WithTheTenantsOwnKey_AnyModelIsAccepted()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = await TenantAdminAsync(tenantId);

        // The key and the model in one PATCH, then another model on the key already saved.
        await ApiAssert.StatusAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}",
            $$"""{"llm_api_key": "{{TenantKey}}", "llm_model": "o1-pro"}"""), 200);
        var patched = await ApiAssert.StatusAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}",
            """{"vision_model": "gpt-4o", "transcription_model": "gpt-4o-transcribe"}"""), 200);
        Assert.That(patched.GetProperty("llm_model_effective").GetString(), Is.EqualTo("o1-pro"));

        // Dropping the own key while on a model the platform does not allow is refused, naming the model.
        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"llm_api_key": null}"""), 400, "llm_model");
    }

    [Test]
    public async Task MonthlyTokenBudget_TenantAdminCannotSetIt_PlatformAdminCan()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = await TenantAdminAsync(tenantId);

        var refused = await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": null}"""), 403);
        Assert.That(refused.GetProperty("detail").GetString(), Does.Contain("monthly_token_budget"));
        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": 999999999}"""), 403);

        var set = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": 50000}"""), 200);
        Assert.That(set.GetProperty("monthly_token_budget").GetInt64(), Is.EqualTo(50_000));
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": -1}"""), 400, "monthly_token_budget");

        var seenByTenant = await tenantAdmin.GetJsonAsync($"/api/tenants/{tenantId}");
        Assert.That(seenByTenant.GetProperty("monthly_token_budget").GetInt64(), Is.EqualTo(50_000), "the tenant sees its budget");
        var cleared = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": null}"""), 200);
        Assert.That(cleared.GetProperty("monthly_token_budget").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Create_AMonthlyTokenBudgetOutOfRange_Is400NamingTheField_InEveryReplyMode()
    {
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants", """{"name": "Budget -1", "monthly_token_budget": -1}"""),
            400, "monthly_token_budget");
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants",
            """{"name": "Budget too big", "reply_mode": "ai", "monthly_token_budget": 1000000000001}"""), 400, "monthly_token_budget");
    }

    [Test]
    public async Task Reply_WhenTheMonthsBudgetIsUsedUp_HandsTheChatToAPerson_WithoutCallingTheModel()
    {
        // The fake model reports 10 input + 5 output tokens a call: one reply uses the whole budget.
        // A Brazilian bakery: its default handoff message is Portuguese (issue 22: a tenant's texts follow its time zone).
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { monthly_token_budget = 15, timezone = "America/Sao_Paulo" });
        var firstChat = Payloads.NewChatId();
        await CustomerIsAnsweredAsync(instance, firstChat, "Oi, tem pão?");
        var modelCalls = _app.Llm.Requests.Count;
        var budgetHandoffs = await BudgetHandoffsCountedAsync();

        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, vocês entregam?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("notice_sent"), "the handoff message sent",
            TimeSpan.FromSeconds(30));

        var session = await _app.GetSessionAsync(instance, chat);
        var stats = await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}/stats");
        var budget = stats.GetProperty("budget");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_app.Llm.Requests, Has.Count.EqualTo(modelCalls), "no model call once the budget is used up");
            Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("handoff_requested"));
            Assert.That(await HandoffDetailAsync(chat), Does.StartWith("budget: "));
            Assert.That(_app.Evolution.SendsTo(chat).Single().Body, Does.Contain("uma pessoa"), "the handoff message, not a reply");
            Assert.That(await BudgetHandoffsCountedAsync(), Is.EqualTo(budgetHandoffs + 1), "hybridflow_budget_handoffs_total");
            Assert.That(budget.GetProperty("monthly_token_budget").GetInt64(), Is.EqualTo(15));
            Assert.That(budget.GetProperty("used").GetInt64(), Is.EqualTo(15));
            Assert.That(budget.GetProperty("left").GetInt64(), Is.EqualTo(0));
            Assert.That(budget.GetProperty("exhausted").GetBoolean(), Is.True);
        }

        // The platform admin raises the budget: the bot answers again.
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": 1000}"""), 200);
        await CustomerIsAnsweredAsync(instance, Payloads.NewChatId(), "Oi de novo");
        var after = (await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}/stats")).GetProperty("budget");
        Assert.That(after.GetProperty("used").GetInt64(), Is.EqualTo(30));
        Assert.That(after.GetProperty("left").GetInt64(), Is.EqualTo(970));
    }

    [Test]
    public async Task Reply_OnTheTenantsOwnKey_DoesNotCountAgainstTheBudget()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { monthly_token_budget = 1 });
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", $$"""{"llm_api_key": "{{TenantKey}}"}"""), 200);

        await CustomerIsAnsweredAsync(instance, Payloads.NewChatId(), "Primeira pergunta");
        await CustomerIsAnsweredAsync(instance, Payloads.NewChatId(), "Segunda pergunta");

        var budget = (await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}/stats")).GetProperty("budget");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_app.Llm.Requests.Select(r => r.ApiKey), Is.All.EqualTo(TenantKey));
            Assert.That(budget.GetProperty("used").GetInt64(), Is.Zero);
            Assert.That(budget.GetProperty("left").GetInt64(), Is.EqualTo(1));
            Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM llm_usage WHERE tenant_id = $1 AND NOT platform_account", tenantId), Is.EqualTo(2),
                "the ledger records who paid");
        }
    }

    [Test]
    public async Task Reply_OnAModelNoLongerAllowed_FallsBackToTheDefault_AndTheSettingsSaySo()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { llm_model = ExtraAllowed });
        // As if LLM_ALLOWED_MODELS had listed it when it was chosen and no longer does.
        await _app.ScalarAsync<int>("UPDATE tenants SET llm_model = 'o1-pro' WHERE id = $1 RETURNING 1", tenantId);

        await CustomerIsAnsweredAsync(instance, Payloads.NewChatId(), "Oi, qual o horário?");
        await CustomerIsAnsweredAsync(instance, Payloads.NewChatId(), "Oi, qual o endereço?");

        var settings = await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_app.Llm.Requests.Select(r => r.Json.GetProperty("model").GetString()), Is.All.EqualTo("gpt-test"), "the configured model was called");
            Assert.That(settings.GetProperty("llm_model").GetString(), Is.EqualTo("o1-pro"));
            Assert.That(settings.GetProperty("llm_model_effective").GetString(), Is.EqualTo("gpt-test"));
            Assert.That(settings.GetProperty("model_fallback").GetString(), Does.Contain("llm_model").And.Contain("gpt-test"));
        }

        // An unrelated change is not refused because of the stale model.
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"name": "Outro Nome"}"""), 200);
    }
}
