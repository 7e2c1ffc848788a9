using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Bot;

/// <summary>
/// POST /api/tenants/{id}/preview-reply (try the bot), against the fake model over real HTTP: the reply job's prompt,
/// history and tool, nothing to WhatsApp and no conversation written, tokens counted, a per-tenant rate limit.
/// </summary>
public sealed class PreviewReplyTests
{
    private const int PreviewsPerMinute = 3;
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
    {
        ["RATE_LIMIT_PREVIEW_REPLY_PER_MINUTE"] = PreviewsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Llm.Reset();

    private async Task<(long TenantId, HttpClient Admin)> TenantWithAdminAsync(object? fields = null)
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync(fields);
        var email = $"admin-{Guid.NewGuid():N}@preview.test";
        await UserSessions.CreateUserAsync(_app, tenantId, email, "tenant_admin");
        return (tenantId, await UserSessions.LoginAsync(_app, email));
    }

    private async Task<long> MonthTokensAsync(long tenantId) =>
        await _app.ScalarAsync<long?>("SELECT sum(tokens)::bigint FROM tenant_monthly_tokens WHERE tenant_id = $1", tenantId) ?? 0;

    [Test]
    public async Task Preview_SendsTheTenantsPromptAndTheGivenHistory_ShowsTheParts_SendsNothing_WritesNoConversation_AndCountsTokens()
    {
        var (tenantId, admin) = await TenantWithAdminAsync(new { system_prompt = "Você é a assistente da Padaria Preview.", split_messages = true, max_reply_parts = 3 });
        _app.Llm.ReplyText = "Abrimos às 7h.\n\nFechamos às 19h.";
        var evolutionCallsBefore = _app.Evolution.Requests.Count;
        var sessionsBefore = await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = $1", tenantId);
        var jobsBefore = await _app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs");

        var answer = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new
        {
            text = "Vocês abrem amanhã?",
            history = new[] { new { role = "customer", text = "Oi, tudo bem?" }, new { role = "bot", text = "Olá! Como posso ajudar?" },
                new { role = "person", text = "Aqui é a Ana, da padaria." } },
        }), 200);

        Assert.That(answer.GetProperty("parts").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "Abrimos às 7h.", "Fechamos às 19h." }));
        Assert.That(answer.GetProperty("handoff").GetBoolean(), Is.False);
        Assert.That(answer.GetProperty("tokens").GetProperty("input").GetInt64(), Is.EqualTo(10));
        Assert.That(answer.GetProperty("tokens").GetProperty("output").GetInt64(), Is.EqualTo(5));

        var call = _app.Llm.Requests.Single();
        var messages = call.Json.GetProperty("messages").EnumerateArray()
            .Select(m => (m.GetProperty("role").GetString(), ContentText(m))).ToList();
        Assert.That(messages[0].Item1, Is.EqualTo("system"));
        Assert.That(messages[0].Item2, Does.Contain("Você é a assistente da Padaria Preview."));
        Assert.That(messages.Skip(1).Select(m => m.Item1), Is.EqualTo(new[] { "user", "assistant", "assistant", "user" }), "a person's line is the business's side");
        Assert.That(messages.Skip(1).Select(m => m.Item2), Is.EqualTo(new[] { "Oi, tudo bem?", "Olá! Como posso ajudar?", "Aqui é a Ana, da padaria.", "Vocês abrem amanhã?" }));
        Assert.That(call.ToolNames, Does.Contain("request_human"), "the reply job's tool is offered");

        Assert.That(_app.Evolution.Requests, Has.Count.EqualTo(evolutionCallsBefore), "nothing reaches WhatsApp");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = $1", tenantId), Is.EqualTo(sessionsBefore), "no conversation");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM reply_jobs"), Is.EqualTo(jobsBefore), "no reply job");
        Assert.That(await MonthTokensAsync(tenantId), Is.EqualTo(15), "the call counts toward the month's tokens (the budget)");
    }

    [Test]
    public async Task Preview_OfATenantWithItsOwnKey_CallsWithThatKey_AndIsRecordedOffThePlatformsBudget()
    {
        var (tenantId, admin) = await TenantWithAdminAsync(new { llm_api_key = "sk-tenant-own-key-0123" });
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi" }), 200);
        Assert.That(_app.Llm.Requests.Single().Header("authorization"), Is.EqualTo("Bearer sk-tenant-own-key-0123"));
        Assert.That(await MonthTokensAsync(tenantId), Is.Zero, "the platform's budget counts only its own account");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM llm_usage WHERE tenant_id = $1 AND purpose = 'reply' AND reply_job_id IS NULL AND NOT platform_account",
            tenantId), Is.EqualTo(1), "the call is in the usage ledger, without a reply job");
    }

    [Test]
    public async Task Preview_KeepsOnlyHistoryMessages_NewestFirst_AsAChatsHistoryIs()
    {
        var (tenantId, admin) = await TenantWithAdminAsync(new { history_messages = 2 });
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new
        {
            text = "terceira",
            history = new[] { new { role = "customer", text = "primeira" }, new { role = "bot", text = "segunda" } },
        }), 200);
        var texts = _app.Llm.Requests.Single().Json.GetProperty("messages").EnumerateArray().Skip(1).Select(ContentText);
        Assert.That(texts, Is.EqualTo(new[] { "segunda", "terceira" }));
    }

    [Test]
    public async Task Preview_WhenTheModelCallsRequestHuman_SaysItWouldHandOff_WithTheHandoffMessage()
    {
        var (tenantId, admin) = await TenantWithAdminAsync(new { handoff_message = "Já chamo uma pessoa." });
        _app.Llm.HandoffReason = "customer is angry";
        var answer = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Isso é um absurdo!" }), 200);
        Assert.That(answer.GetProperty("handoff").GetBoolean(), Is.True);
        Assert.That(answer.GetProperty("handoff_reason").GetString(), Is.EqualTo("model"));
        Assert.That(answer.GetProperty("parts").EnumerateArray().Select(p => p.GetString()), Is.EqualTo(new[] { "Já chamo uma pessoa." }));
    }

    [Test]
    public async Task Preview_OfAHandoffKeyword_HandsOffWithoutCallingTheModel()
    {
        var (tenantId, admin) = await TenantWithAdminAsync(new { handoff_keywords = new[] { "gerente" } });
        var answer = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Quero falar com o gerente" }), 200);
        Assert.That(answer.GetProperty("handoff").GetBoolean(), Is.True);
        Assert.That(answer.GetProperty("handoff_reason").GetString(), Is.EqualTo("keyword"));
        Assert.That(_app.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task Preview_WithTheBudgetUsedUp_HandsOffWithoutCallingTheModel()
    {
        var (tenantId, admin) = await TenantWithAdminAsync();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"monthly_token_budget": 20}"""), 200);
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi" }), 200);
        await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi de novo" }), 200);
        Assert.That(await MonthTokensAsync(tenantId), Is.EqualTo(30), "two previews of 15 tokens went over the 20-token budget");

        var answer = await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "E agora?" }), 200);
        Assert.That(answer.GetProperty("handoff").GetBoolean(), Is.True);
        Assert.That(answer.GetProperty("handoff_reason").GetString(), Is.EqualTo("budget"));
        Assert.That(_app.Llm.Requests, Has.Count.EqualTo(2), "no model call once the budget is spent");
    }

    [Test]
    public async Task Previews_PastTheTenantsLimit_Are429WithRetryAfter_AndAnotherTenantKeepsItsOwn()
    {
        var (tenantId, admin) = await TenantWithAdminAsync();
        for (var i = 0; i < PreviewsPerMinute; i++)
            await ApiAssert.StatusAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = $"Oi {i}" }), 200);

        var refused = await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "mais uma" });
        await ApiAssert.ProblemAsync(refused, 429);
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.GreaterThan(TimeSpan.Zero));
        Assert.That(_app.Llm.Requests, Has.Count.EqualTo(PreviewsPerMinute), "the refused preview called no model");

        var (otherTenant, otherAdmin) = await TenantWithAdminAsync();
        await ApiAssert.StatusAsync(await otherAdmin.PostAsJsonAsync($"/api/tenants/{otherTenant}/preview-reply", new { text = "Oi" }), 200);
    }

    [TestCase("""{"text": ""}""", "text")]
    [TestCase("""{"text": "   "}""", "text")]
    [TestCase("""{"history": []}""", "text")]
    [TestCase("""{"text": "oi", "history": [{"role": "robot", "text": "x"}]}""", "history[0]")]
    [TestCase("""{"text": "oi", "history": [{"role": "bot", "text": ""}]}""", "history[0]")]
    [TestCase("""{"text": "oi", "history": [null]}""", "history[0]")]
    public async Task Preview_OfBadInput_Is400NamingTheField(string json, string field)
    {
        var (tenantId, admin) = await TenantWithAdminAsync();
        await ApiAssert.ProblemAsync(await admin.SendJsonAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/preview-reply", json), 400, field);
        Assert.That(_app.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task Preview_OfOversizedTextOrTooLongHistory_Is400()
    {
        var (tenantId, admin) = await TenantWithAdminAsync();
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = new string('a', 4097) }), 400, "text");
        var history = Enumerable.Range(0, 51).Select(i => new { role = "customer", text = $"linha {i}" }).ToArray();
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "oi", history }), 400, "history");
        await ApiAssert.ProblemAsync(await admin.SendJsonAsync(HttpMethod.Post, $"/api/tenants/{tenantId}/preview-reply", """{"text": "oi", "extra": 1}"""), 400);
        Assert.That(_app.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task AnotherTenantsAdmin_Gets404_AndAnAgent403()
    {
        var (tenantId, _) = await TenantWithAdminAsync();
        var (_, otherAdmin) = await TenantWithAdminAsync();
        await ApiAssert.ProblemAsync(await otherAdmin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi" }), 404);

        var agentEmail = $"agent-{Guid.NewGuid():N}@preview.test";
        await UserSessions.CreateUserAsync(_app, tenantId, agentEmail, "agent");
        var agent = await UserSessions.LoginAsync(_app, agentEmail);
        await ApiAssert.ProblemAsync(await agent.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi" }), 403);
        Assert.That(_app.Llm.Requests, Is.Empty);
    }

    [Test]
    public async Task Preview_ForATenantWhoseBotIsOff_Is409()
    {
        var (tenantId, admin) = await TenantWithAdminAsync();
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """{"reply_mode": "off"}"""), 200);
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync($"/api/tenants/{tenantId}/preview-reply", new { text = "Oi" }), 409);
    }

    private static string? ContentText(JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == JsonValueKind.String
            ? content.GetString()
            : string.Concat(content.EnumerateArray().Select(part => part.GetProperty("text").GetString()));
    }
}
