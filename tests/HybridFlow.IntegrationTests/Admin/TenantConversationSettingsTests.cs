using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>The conversation settings and the tenant's own model account through POST/PATCH/GET /api/tenants.</summary>
public sealed class TenantConversationSettingsTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync();

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    private async Task<JsonElement> CreateAsync(string json) =>
        await ApiAssert.StatusAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants", json), 201);

    [Test]
    public async Task Create_WithoutSettings_ShowsTheDefaults()
    {
        var t = await CreateAsync("""{"name": "Defaults"}""");
        Assert.Multiple(() =>
        {
            Assert.That(t.GetProperty("typing_indicator").GetBoolean(), Is.True);
            Assert.That(t.GetProperty("typing_ms_per_char").GetInt32(), Is.EqualTo(25));
            Assert.That(t.GetProperty("split_messages").GetBoolean(), Is.True);
            Assert.That(t.GetProperty("max_reply_parts").GetInt32(), Is.EqualTo(4));
            var keywords = t.GetProperty("handoff_keywords").EnumerateArray().Select(k => k.GetString()).ToList();
            Assert.That(keywords, Does.Contain("atendente").And.Contain("falar com uma pessoa").And.Contain("humano")
                .And.Contain("agente").And.Contain("human agent").And.Contain("talk to a person"));
            // Issue 22: one sentence in the tenant's language (UTC: en), no longer the same sentence in three languages.
            Assert.That(t.GetProperty("language").GetString(), Is.EqualTo("en"));
            Assert.That(t.GetProperty("handoff_message").GetString(), Is.EqualTo("👤 One moment, a person will answer you."));
            Assert.That(t.GetProperty("timezone").GetString(), Is.EqualTo("UTC"));
            Assert.That(t.GetProperty("business_hours").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(t.GetProperty("outside_hours").GetString(), Is.EqualTo("reply"));
            Assert.That(t.GetProperty("away_message").GetString(), Is.Not.Empty);
            Assert.That(t.GetProperty("unsupported_media_reply").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(t.GetProperty("history_token_budget").GetInt32(), Is.EqualTo(8000));
            Assert.That(t.GetProperty("llm_api_key").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(t.GetProperty("llm_base_url").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(t.GetProperty("notify_url").ValueKind, Is.EqualTo(JsonValueKind.Null));
        });
        Assert.That(await _app.ScalarAsync<string>("SELECT conversation::text FROM tenants WHERE id = $1", t.GetProperty("id").GetInt64()),
            Is.EqualTo("{}"), "defaults are not copied into the row, so a better default reaches existing tenants");
    }

    [Test]
    public async Task Create_And_Patch_RoundTripEverySetting_AndNullRestoresTheDefault()
    {
        var t = await CreateAsync("""
            {"name": "Loja", "typing_indicator": false, "typing_ms_per_char": 40, "split_messages": false, "max_reply_parts": 2,
             "handoff_keywords": ["Gerente", "  quero um humano "], "handoff_message": "Já chamo alguém.",
             "timezone": "America/Sao_Paulo", "business_hours": {"mon": [["13:00","18:00"], ["08:00","12:00"]], "fri": [["22:00","24:00"]]},
             "outside_hours": "away_message", "away_message": "Fechado!", "transcription_model": "whisper-1", "vision_model": "gpt-4o",
             "unsupported_media_reply": "Só entendo texto.", "history_token_budget": 3000}
            """);
        var id = t.GetProperty("id").GetInt64();
        var read = await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
        Assert.Multiple(() =>
        {
            Assert.That(read.GetProperty("typing_indicator").GetBoolean(), Is.False);
            Assert.That(read.GetProperty("typing_ms_per_char").GetInt32(), Is.EqualTo(40));
            Assert.That(read.GetProperty("split_messages").GetBoolean(), Is.False);
            Assert.That(read.GetProperty("max_reply_parts").GetInt32(), Is.EqualTo(2));
            Assert.That(read.GetProperty("handoff_keywords").EnumerateArray().Select(k => k.GetString()), Is.EqualTo(new[] { "Gerente", "quero um humano" }));
            Assert.That(read.GetProperty("handoff_message").GetString(), Is.EqualTo("Já chamo alguém."));
            Assert.That(read.GetProperty("timezone").GetString(), Is.EqualTo("America/Sao_Paulo"));
            Assert.That(read.GetProperty("business_hours").GetRawText(),
                Is.EqualTo("""{"mon":[["08:00","12:00"],["13:00","18:00"]],"fri":[["22:00","00:00"]]}"""), "sorted; 24:00 is midnight");
            Assert.That(read.GetProperty("outside_hours").GetString(), Is.EqualTo("away_message"));
            Assert.That(read.GetProperty("away_message").GetString(), Is.EqualTo("Fechado!"));
            Assert.That(read.GetProperty("transcription_model").GetString(), Is.EqualTo("whisper-1"));
            Assert.That(read.GetProperty("vision_model").GetString(), Is.EqualTo("gpt-4o"));
            Assert.That(read.GetProperty("unsupported_media_reply").GetString(), Is.EqualTo("Só entendo texto."));
            Assert.That(read.GetProperty("history_token_budget").GetInt32(), Is.EqualTo(3000));
        });

        var patched = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}",
            """{"typing_ms_per_char": null, "business_hours": null, "handoff_keywords": [], "outside_hours": "silent", "away_message": null}"""), 200);
        Assert.Multiple(() =>
        {
            Assert.That(patched.GetProperty("typing_ms_per_char").GetInt32(), Is.EqualTo(25), "null restores the default");
            Assert.That(patched.GetProperty("business_hours").ValueKind, Is.EqualTo(JsonValueKind.Null), "always open");
            Assert.That(patched.GetProperty("handoff_keywords").GetArrayLength(), Is.Zero, "[] turns keywords off");
            Assert.That(patched.GetProperty("outside_hours").GetString(), Is.EqualTo("silent"));
            Assert.That(patched.GetProperty("away_message").GetString(), Is.Not.EqualTo("Fechado!"));
            Assert.That(patched.GetProperty("typing_indicator").GetBoolean(), Is.False, "absent settings are kept");
            Assert.That(patched.GetProperty("max_reply_parts").GetInt32(), Is.EqualTo(2));
            Assert.That(patched.GetProperty("timezone").GetString(), Is.EqualTo("America/Sao_Paulo"));
        });
    }

    [Test]
    public async Task ConcurrentPatches_OfDifferentSettings_BothLand()
    {
        var id = (await CreateAsync("""{"name": "Corrida"}""")).GetProperty("id").GetInt64();
        for (var round = 0; round < 5; round++)
        {
            var parts = 2 + round % 3;
            var budget = 1000 + round;
            var results = await Task.WhenAll(
                _app.Admin.PatchJsonAsync($"/api/tenants/{id}", $$"""{"max_reply_parts": {{parts}}}"""),
                _app.Admin.PatchJsonAsync($"/api/tenants/{id}", $$"""{"history_token_budget": {{budget}}}"""));
            foreach (var r in results) await ApiAssert.StatusAsync(r, 200);
            var read = await _app.Admin.GetJsonAsync($"/api/tenants/{id}");
            Assert.That(read.GetProperty("max_reply_parts").GetInt32(), Is.EqualTo(parts));
            Assert.That(read.GetProperty("history_token_budget").GetInt32(), Is.EqualTo(budget));
        }
    }

    [TestCase("""{"timezone": "Mars/Olympus_Mons"}""", "timezone")]
    [TestCase("""{"timezone": "Pacific Standard Time"}""", "timezone")]
    [TestCase("""{"timezone": ""}""", "timezone")]
    [TestCase("""{"business_hours": {"monday": [["09:00","18:00"]]}}""", "business_hours")]
    [TestCase("""{"business_hours": {"mon": [["9h","18:00"]]}}""", "business_hours")]
    [TestCase("""{"business_hours": {"mon": [["09:00"]]}}""", "business_hours")]
    [TestCase("""{"business_hours": {"mon": [["09:00","09:00"]]}}""", "business_hours")]
    [TestCase("""{"business_hours": {"mon": [["09:00", null]]}}""", "business_hours")]
    [TestCase("""{"business_hours": {"mon": null}}""", "business_hours")]
    [TestCase("""{"business_hours": ["09:00"]}""", null)]
    [TestCase("""{"outside_hours": "sometimes"}""", "outside_hours")]
    [TestCase("""{"max_reply_parts": 0}""", "max_reply_parts")]
    [TestCase("""{"max_reply_parts": 11}""", "max_reply_parts")]
    [TestCase("""{"typing_ms_per_char": -1}""", "typing_ms_per_char")]
    [TestCase("""{"history_token_budget": 10}""", "history_token_budget")]
    [TestCase("""{"stale_message_minutes": 0}""", "stale_message_minutes")]
    [TestCase("""{"stale_message_minutes": 10081}""", "stale_message_minutes")]
    [TestCase("""{"typing_indicator": "yes"}""", null)]
    [TestCase("""{"handoff_keywords": "atendente"}""", null)]
    [TestCase("""{"llm_api_key": "short"}""", "llm_api_key")]
    [TestCase("""{"llm_base_url": "ftp://models.example.com"}""", "llm_base_url")]
    [TestCase("""{"notify_url": "not a url"}""", "notify_url")]
    [TestCase("""{"notify_url": "https://hooks.example.com/handoff"}""", "notify_url")]
    public async Task Patch_BadSetting_Is400_AndChangesNothing(string body, string? field)
    {
        var id = (await CreateAsync("""{"name": "Validação"}""")).GetProperty("id").GetInt64();
        var before = (await _app.Admin.GetJsonAsync($"/api/tenants/{id}")).ToString();
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", body), 400, field);
        Assert.That((await _app.Admin.GetJsonAsync($"/api/tenants/{id}")).ToString(), Is.EqualTo(before));
    }

    [Test]
    public async Task Create_BadSetting_Is400()
    {
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants",
            """{"name": "X", "business_hours": {"sun": [["25:00","26:00"]]}}"""), 400, "business_hours");
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, "/api/tenants",
            """{"name": "X", "notify_url": "https://hooks.example.com/h"}"""), 400, "workflow_secret");
    }

    [Test]
    public async Task LlmApiKey_IsWriteOnly_Masked_AndEncryptedAtRest()
    {
        const string key = "sk-tenant-own-key-0123456789abcdef";
        var t = await CreateAsync($$"""{"name": "Com chave", "llm_api_key": "{{key}}", "llm_base_url": "https://llm.example.com/v1"}""");
        var id = t.GetProperty("id").GetInt64();
        var shown = t.GetProperty("llm_api_key").GetString();
        Assert.That(shown, Is.Not.Null.And.Not.Contains("0123456789abcdef"));
        Assert.That(t.GetProperty("llm_base_url").GetString(), Is.EqualTo("https://llm.example.com/v1"));
        var list = await _app.Admin.GetAsync("/api/tenants?page_size=200");
        Assert.That(await list.Content.ReadAsStringAsync(), Does.Not.Contain(key));
        var stored = await _app.ScalarAsync<string>("SELECT llm_api_key FROM tenants WHERE id = $1", id);
        Assert.That(stored, Is.Not.Null.And.Not.Contains(key), "encrypted at rest like the other secrets");

        var cleared = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", """{"llm_api_key": null, "llm_base_url": null}"""), 200);
        Assert.That(cleared.GetProperty("llm_api_key").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await _app.ScalarAsync<bool>("SELECT llm_api_key IS NULL AND llm_base_url IS NULL FROM tenants WHERE id = $1", id), Is.True);
    }

    [Test]
    public async Task TenantSetUrls_ToPrivateAddresses_AreRefused_ButThePlatformAdminMaySetThem()
    {
        var id = (await CreateAsync("""{"name": "Rede", "workflow_secret": "a-long-enough-signing-secret"}""")).GetProperty("id").GetInt64();
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(id, "tenant_admin"));
        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{id}", """{"llm_base_url": "http://127.0.0.1:8080/v1"}"""), 400, "llm_base_url");
        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{id}", """{"notify_url": "http://169.254.169.254/latest"}"""), 400, "notify_url");

        await ApiAssert.StatusAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{id}",
            """{"notify_url": "https://hooks.example.com/handoff", "handoff_message": "Já vem alguém."}"""), 200);
        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{id}", """{"llm_base_url": "http://127.0.0.1:8080/v1"}"""), 200);
        Assert.That(await _app.ScalarAsync<bool>("SELECT llm_base_url_trusted AND NOT notify_url_trusted FROM tenants WHERE id = $1", id), Is.True);

        // The signing secret cannot go while notify_url needs it.
        await ApiAssert.ProblemAsync(await tenantAdmin.PatchJsonAsync($"/api/tenants/{id}", """{"workflow_secret": null}"""), 400, "workflow_secret");
    }

    [Test]
    public async Task Settings_ReachThePipelinesTenantPolicy_PastTheInstanceCache()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        using var scope = _app.Services.CreateScope();
        var directory = scope.ServiceProvider.GetRequiredService<IInstanceDirectory>();
        var before = await directory.FindByNameAsync(instance, fresh: false, CancellationToken.None);
        Assert.That(before!.Tenant.Conversation, Is.EqualTo(ConversationSettings.Default));
        Assert.That(before.Tenant.LlmCredentials, Is.Null);

        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}", """
            {"history_token_budget": 1234, "outside_hours": "silent", "timezone": "Europe/Lisbon", "business_hours": {"sat": [["10:00","14:00"]]},
             "llm_api_key": "sk-tenant-policy-key-42", "llm_base_url": "https://llm.example.com/v1",
             "workflow_secret": "a-long-enough-signing-secret", "notify_url": "https://hooks.example.com/handoff"}
            """), 200);

        var after = (await directory.FindByNameAsync(instance, fresh: false, CancellationToken.None))!.Tenant;
        Assert.Multiple(() =>
        {
            Assert.That(after.Conversation.HistoryTokenBudget, Is.EqualTo(1234));
            Assert.That(after.Conversation.OutsideHours, Is.EqualTo(OutsideHoursPolicy.Silent));
            Assert.That(after.Conversation.Timezone, Is.EqualTo("Europe/Lisbon"));
            Assert.That(after.Conversation.BusinessHours![DayOfWeek.Saturday].Single(), Is.EqualTo(new OpeningInterval(new TimeOnly(10, 0), new TimeOnly(14, 0))));
            Assert.That(after.LlmCredentials, Is.EqualTo(new LlmCredentials("sk-tenant-policy-key-42", "https://llm.example.com/v1", BaseUrlTrusted: true)), "set with the admin key");
            Assert.That(after.LlmCredentials!.ToString(), Does.Not.Contain("sk-tenant"), "a logged record never prints the key");
            Assert.That(after.Notify, Is.EqualTo(new NotifyTarget("https://hooks.example.com/handoff", "a-long-enough-signing-secret", UrlTrusted: true)));
        });
    }
}
