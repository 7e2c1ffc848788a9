using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.Domain.Tenants;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>
/// A tenant's language (issue 22, ADR-017): its default from the time zone, and the texts nobody wrote that follow it,
/// the no-model reply and the default handoff and away messages, with LLM_STATIC_REPLY still first.
/// </summary>
public sealed class TenantLanguageTests
{
    private static async Task<JsonElement> CreateAsync(HybridFlowApp app, object fields)
    {
        var body = JsonSerializer.SerializeToNode(fields)!.AsObject();
        body["name"] = "Padaria";
        var response = await app.Admin.PostAsJsonAsync("/api/tenants", body);
        Assert.That((int)response.StatusCode, Is.EqualTo(201), await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Test]
    public async Task A_new_tenants_language_comes_from_its_time_zone_unless_given_and_its_default_texts_follow()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var cases = new (string? Zone, string Expected)[]
        {
            ("America/Sao_Paulo", "pt"), ("America/Manaus", "pt"), ("Europe/Madrid", "es"), ("America/Mexico_City", "es"),
            ("America/Argentina/Cordoba", "es"), ("America/Bogota", "es"), ("Europe/Lisbon", "en"), ("America/New_York", "en"), (null, "en"),
        };
        foreach (var (zone, expected) in cases)
        {
            var tenant = await CreateAsync(app, zone is null ? new { } : new { timezone = zone });
            using (Assert.EnterMultipleScope())
            {
                Assert.That(tenant.GetProperty("language").GetString(), Is.EqualTo(expected), zone ?? "no time zone (UTC)");
                Assert.That(tenant.GetProperty("handoff_message").GetString(), Is.EqualTo(TenantLanguages.HandoffMessage(expected)), zone);
                Assert.That(tenant.GetProperty("away_message").GetString(), Is.EqualTo(TenantLanguages.AwayMessage(expected)), zone);
            }
        }
        Assert.That(TenantLanguages.HandoffMessage("pt"), Is.EqualTo("👤 Um momento, vou chamar uma pessoa."));
        Assert.That(TenantLanguages.AwayMessage("es"), Is.EqualTo("🕒 Estamos fuera de horario y responderemos cuando abramos."));

        // Given, it wins over the time zone; a PATCH changes it, and null gives back the time zone's.
        var chosen = await CreateAsync(app, new { timezone = "America/Sao_Paulo", language = "es" });
        Assert.That(chosen.GetProperty("language").GetString(), Is.EqualTo("es"));
        var id = chosen.GetProperty("id").GetInt64();
        var patched = await app.Admin.PatchAsJsonAsync($"/api/tenants/{id}", new { language = "en" });
        Assert.That((await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("language").GetString(), Is.EqualTo("en"));
        var cleared = await app.Admin.PatchAsJsonAsync($"/api/tenants/{id}", new { language = (string?)null });
        var afterClear = await cleared.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(afterClear.GetProperty("language").GetString(), Is.EqualTo("pt"));
        Assert.That(afterClear.GetProperty("handoff_message").GetString(), Is.EqualTo(TenantLanguages.HandoffMessage("pt")));
        // A text the tenant wrote stays whatever the language.
        var own = await app.Admin.PatchAsJsonAsync($"/api/tenants/{id}", new { handoff_message = "Já chamo a equipe.", language = "es" });
        Assert.That((await own.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("handoff_message").GetString(), Is.EqualTo("Já chamo a equipe."));
        Assert.That((await app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{id}")).GetProperty("language").GetString(), Is.EqualTo("es"));

        // Another language is refused with a code the UI translates.
        var refused = await app.Admin.PostAsJsonAsync("/api/tenants", new { name = "Boulangerie", language = "fr" });
        Assert.That((int)refused.StatusCode, Is.EqualTo(400));
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(problem.GetProperty("errors").GetProperty("language")[0].GetString(), Is.EqualTo("language must be one of: pt, es, en."));
        var code = problem.GetProperty("error_codes").GetProperty("language")[0];
        Assert.That(code.GetProperty("code").GetString(), Is.EqualTo("one_of"));
        Assert.That(code.GetProperty("params").GetProperty("values").GetString(), Is.EqualTo("pt, es, en"));
    }

    [TestCase("America/Sao_Paulo", "Obrigado pela sua mensagem! Responderemos em breve.", "👤 Um momento, vou chamar uma pessoa.")]
    [TestCase("America/Lima", "¡Gracias por tu mensaje! Te responderemos pronto.", "👤 Un momento, te paso con una persona.")]
    [TestCase("Europe/London", "Thanks for your message! We'll get back to you shortly.", "👤 One moment, a person will answer you.")]
    public async Task Without_a_model_the_bot_the_handoff_and_the_away_message_speak_the_tenants_language(string zone, string noModelReply, string handoffMessage)
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { timezone = zone, llm_provider = "static" });

        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Bom dia! Vocês abrem hoje?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the no-model reply");
        Assert.That(app.Evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo(noModelReply));

        var other = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(other, "Quero falar com atendente")), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(other).Count == 1, "the handoff message");
        Assert.That(app.Evolution.SendsTo(other)[0].Json.GetProperty("text").GetString(), Is.EqualTo(handoffMessage));

        // Closed every day, with the away message: its default is in the language too.
        var (_, closed) = await app.CreateTenantWithInstanceAsync(new { timezone = zone, llm_provider = "static", business_hours = new { }, outside_hours = "away_message" });
        var late = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(closed, Payloads.CustomerText(late, "Oi, estão abertos?")), Is.EqualTo("away_message_sent"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(late).Count == 1, "the away message");
        var language = TenantLanguages.ForTimeZone(zone);
        Assert.That(app.Evolution.SendsTo(late)[0].Json.GetProperty("text").GetString(), Is.EqualTo(TenantLanguages.AwayMessage(language)));
    }

    [Test]
    public async Task LLM_STATIC_REPLY_when_set_still_wins_over_the_tenants_language()
    {
        const string configured = "Recebemos! A equipe responde já.";
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["LLM_STATIC_REPLY"] = configured });
        var (_, instance) = await app.CreateTenantWithInstanceAsync(new { timezone = "Europe/Madrid", llm_provider = "static" });
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(instance, Payloads.CustomerText(chat, "Hola, ¿abren hoy?")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the static reply");
        Assert.That(app.Evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo(configured));
    }

    /// <summary>
    /// V0023 on tenants made before it (their conversation settings as stored then): the old default texts become their
    /// explicit settings and the language stays en, so what they send does not change; a text they wrote is kept.
    /// The file is re-run on rows prepared here.
    /// </summary>
    [Test]
    public async Task V0023_keeps_the_texts_of_the_tenants_made_before_it()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (untouched, untouchedInstance) = await app.CreateTenantWithInstanceAsync(new { timezone = "America/Sao_Paulo", llm_provider = "static" });
        var (ownTexts, _) = await app.CreateTenantWithInstanceAsync();
        // As V0022 left them: no language key, no texts unless the tenant wrote them.
        await app.ScalarAsync<int>($$"""
            UPDATE tenants SET conversation = '{"timezone": "America/Sao_Paulo"}'::jsonb WHERE id = {{untouched}};
            UPDATE tenants SET conversation = '{"handoff_message": "Já chamo a equipe.", "away_message": "Fechados; voltamos às 8h."}'::jsonb WHERE id = {{ownTexts}};
            SELECT 1;
            """);
        await using (var connection = new Npgsql.NpgsqlConnection(app.ConnectionString))
        {
            await connection.OpenAsync();
            var sql = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "migrations", "V0023__tenant_language.sql"));
            await using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
            await cmd.ExecuteNonQueryAsync();
        }

        var before = await app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{untouched}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(before.GetProperty("language").GetString(), Is.EqualTo("en"));
            Assert.That(before.GetProperty("handoff_message").GetString(), Is.EqualTo(ConversationSettings.DefaultHandoffMessage));
            Assert.That(before.GetProperty("away_message").GetString(), Is.EqualTo(ConversationSettings.DefaultAwayMessage));
            Assert.That(await app.ScalarAsync<string>("SELECT conversation->>'handoff_message' FROM tenants WHERE id = $1", untouched),
                Is.EqualTo("👤 Um momento, vou chamar uma pessoa. / Un momento, te paso con una persona. / One moment, a person will answer you."),
                "stored as an explicit setting");
        }
        var own = await app.Admin.GetFromJsonAsync<JsonElement>($"/api/tenants/{ownTexts}");
        Assert.That(own.GetProperty("handoff_message").GetString(), Is.EqualTo("Já chamo a equipe."));
        Assert.That(own.GetProperty("away_message").GetString(), Is.EqualTo("Fechados; voltamos às 8h."));

        // What it sends: the old English no-model reply and the old three-language handoff message, as before.
        var chat = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(untouchedInstance, Payloads.CustomerText(chat, "Bom dia!")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(chat).Count == 1, "the no-model reply");
        Assert.That(app.Evolution.SendsTo(chat)[0].Json.GetProperty("text").GetString(), Is.EqualTo("Thanks for your message! We'll get back to you shortly."));
        var other = Payloads.NewChatId();
        Assert.That(await app.DeliverAsync(untouchedInstance, Payloads.CustomerText(other, "Quero falar com atendente")), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => app.Evolution.SendsTo(other).Count == 1, "the handoff message");
        Assert.That(app.Evolution.SendsTo(other)[0].Json.GetProperty("text").GetString(), Is.EqualTo(ConversationSettings.DefaultHandoffMessage));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "HybridFlow.sln"))) return dir.FullName;
        throw new InvalidOperationException("HybridFlow.sln not found above the test directory.");
    }
}
