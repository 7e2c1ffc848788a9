using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Inbox;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.MetaCloud;

/// <summary>
/// WhatsApp message templates: the approved ones of a Cloud API instance listed from the Graph API (cached 10 minutes,
/// refresh on demand), and one sent from the inbox, which a closed 24-hour window allows.
/// </summary>
public sealed class MessageTemplateTests
{
    private static string TemplatesPath(string instance, string query = "") => $"/api/instances/{instance}/templates{query}";

    private static async Task<(HybridFlowApp App, long TenantId, string Instance, HttpClient Admin)> StartAsync()
    {
        var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance, _) = await app.CreateTenantWithMetaInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        return (app, tenantId, instance, admin);
    }

    private static IReadOnlyList<string> Keys(JsonElement list) =>
        [.. list.GetProperty("items").EnumerateArray().Select(t => $"{t.GetProperty("name").GetString()}/{t.GetProperty("language").GetString()}")];

    [Test]
    public async Task List_AnswersTheApprovedTemplates_FromEveryPage()
    {
        var (app, _, instance, admin) = await StartAsync();
        await using var _ = app;

        var list = await admin.GetJsonAsync(TemplatesPath(instance));

        Assert.That(Keys(list), Is.EqualTo(new[] { "order_ready/en_US", "order_ready/pt_BR", "welcome_back/pt_BR" }), "approved only, in name order");
        var orderReady = list.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("language").GetString() == "pt_BR" && t.GetProperty("name").GetString() == "order_ready");
        Assert.That(orderReady.GetProperty("body").GetString(), Is.EqualTo("Olá {{1}}, seu pedido {{2}} está pronto para retirada."));
        Assert.That(orderReady.GetProperty("variable_count").GetInt32(), Is.EqualTo(2));
        Assert.That(orderReady.GetProperty("category").GetString(), Is.EqualTo("UTILITY"));
        Assert.That(list.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "welcome_back")
            .GetProperty("variable_count").GetInt32(), Is.Zero);

        var calls = app.Graph.TemplateListCalls;
        Assert.That(calls, Has.Count.EqualTo(2), "three approved templates, two to a page");
        Assert.That(calls.Select(c => c.Path), Is.All.EqualTo($"/{FakeGraphApi.Version}/102290129340398/message_templates"));
        Assert.That(calls.Select(c => c.Header("authorization")), Is.All.EqualTo("Bearer " + FakeGraphApi.DefaultAccessToken));
    }

    [Test]
    public async Task List_IsCachedForTenMinutes_AndRefreshAsksAgain()
    {
        var (app, _, instance, admin) = await StartAsync();
        await using var _ = app;
        await admin.GetJsonAsync(TemplatesPath(instance));
        var asked = app.Graph.TemplateListCalls.Count;

        app.Graph.AddTemplate(new FakeTemplate("pickup_reminder", "pt_BR", "APPROVED", "UTILITY", "Lembrete: retire seu pedido {{1}} hoje."));
        Assert.That(Keys(await admin.GetJsonAsync(TemplatesPath(instance))), Does.Not.Contain("pickup_reminder/pt_BR"), "answered from the cache");
        Assert.That(app.Graph.TemplateListCalls, Has.Count.EqualTo(asked));

        Assert.That(Keys(await admin.GetJsonAsync(TemplatesPath(instance, "?refresh=true"))), Does.Contain("pickup_reminder/pt_BR"));
        Assert.That(app.Graph.TemplateListCalls, Has.Count.GreaterThan(asked));

        app.Graph.AddTemplate(new FakeTemplate("closing_early", "pt_BR", "APPROVED", "UTILITY", "Hoje fechamos às {{1}}."));
        var refreshed = app.Graph.TemplateListCalls.Count;
        app.Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.That(Keys(await admin.GetJsonAsync(TemplatesPath(instance))), Does.Not.Contain("closing_early/pt_BR"));
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That(Keys(await admin.GetJsonAsync(TemplatesPath(instance))), Does.Contain("closing_early/pt_BR"), "asked again after 10 minutes");
        Assert.That(app.Graph.TemplateListCalls, Has.Count.GreaterThan(refreshed));
    }

    [Test]
    public async Task List_IsReadByTheTenantsAgents_AndIs404ForAnotherTenant()
    {
        var (app, tenantId, instance, _) = await StartAsync();
        await using var _ = app;
        var agent = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "agent"));
        Assert.That(Keys(await agent.GetJsonAsync(TemplatesPath(instance))), Is.Not.Empty);

        var (otherTenant, _) = await app.CreateTenantWithInstanceAsync();
        var stranger = app.ClientWithKey(await app.CreateApiKeyAsync(otherTenant, "tenant_admin"));
        await ApiAssert.ProblemAsync(await stranger.GetAsync(TemplatesPath(instance)), 404);
        await ApiAssert.ProblemAsync(await app.Client.GetAsync(TemplatesPath(instance)), 401);
    }

    [Test]
    public async Task List_OfAnEvolutionInstance_Is409()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync();
        var admin = app.ClientWithKey(await app.CreateApiKeyAsync(tenantId, "tenant_admin"));

        var problem = await ApiAssert.ProblemAsync(await admin.GetAsync(TemplatesPath(instance)), 409);

        Assert.That(problem.GetProperty("code").GetString(), Is.EqualTo("templates_not_supported"));
        Assert.That(app.Graph.TemplateListCalls, Is.Empty);
    }

    [Test]
    public async Task List_WhenTheGraphApiRefuses_Is502()
    {
        var (app, _, instance, admin) = await StartAsync();
        await using var _ = app;
        // The instance's token no longer works (Meta answers 401 with code 190 to every call).
        app.Graph.RequiredAccessToken = "EAAG-a-token-the-instance-does-not-have";

        var problem = await ApiAssert.ProblemAsync(await admin.GetAsync(TemplatesPath(instance)), 502);

        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("190"));
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("Graph API error"));
        Assert.That(problem.GetProperty("graph_status").GetInt32(), Is.EqualTo(401));
        Assert.That(problem.GetRawText(), Does.Not.Contain(FakeGraphApi.DefaultAccessToken));
    }

    [Test]
    public async Task Send_InAClosedWindow_SendsTheTemplateWithItsVariables_AsThePersonsMessage()
    {
        var (app, tenantId, instance, _) = await StartAsync();
        await using var _ = app;
        var chat = MetaChatSeed.NewChatId();
        var (sessionId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, chat, app.Clock.GetUtcNow().AddDays(-2));
        var email = $"carla-{Guid.NewGuid():N}@example.com";
        var carla = await UserSessions.CreateUserAsync(app, tenantId, email, "agent", displayName: "Carla");
        var person = await UserSessions.LoginAsync(app, email);

        var response = await person.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/template"),
            new { name = "order_ready", language = "pt_BR", variables = new[] { "Ana", "4521" } });

        var sent = await ApiAssert.StatusAsync(response, 201);
        var call = app.Graph.SentMessages.Single();
        var body = JsonDocument.Parse(call.Body).RootElement;
        Assert.That(body.GetProperty("type").GetString(), Is.EqualTo("template"));
        var template = body.GetProperty("template");
        Assert.That(template.GetProperty("name").GetString(), Is.EqualTo("order_ready"));
        Assert.That(template.GetProperty("language").GetProperty("code").GetString(), Is.EqualTo("pt_BR"));
        var bodyComponent = template.GetProperty("components").EnumerateArray().Single(c => c.GetProperty("type").GetString() == "body");
        Assert.That(bodyComponent.GetProperty("parameters").EnumerateArray().Select(p => (p.GetProperty("type").GetString(), p.GetProperty("text").GetString())),
            Is.EqualTo(new[] { ("text", "Ana"), ("text", "4521") }));
        Assert.That(body.TryGetProperty("biz_opaque_callback_data", out var callback) && callback.GetString() is { Length: > 0 }, Is.True,
            "the send's ledger id travels with it");

        Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.EqualTo(FakeGraphApi.WamidOf(call)));
        Assert.That(sent.GetProperty("conversation").GetProperty("is_paused").GetBoolean(), Is.True, "a takeover, like any inbox send");
        Assert.That(sent.GetProperty("conversation").GetProperty("assignee").GetProperty("id").GetInt64(), Is.EqualTo(carla));
        Assert.That(await app.ScalarAsync<string>("SELECT text FROM messages WHERE session_id = $1 AND direction = 'human'", sessionId),
            Is.EqualTo("Olá Ana, seu pedido 4521 está pronto para retirada."));
        Assert.That(await app.ScalarAsync<long>("SELECT sent_by_user_id FROM messages WHERE session_id = $1 AND direction = 'human'", sessionId), Is.EqualTo(carla));
    }

    [Test]
    public async Task Send_IsValidated_AgainstTheApprovedTemplates()
    {
        var (app, _, instance, admin) = await StartAsync();
        await using var _ = app;
        var (sessionId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, MetaChatSeed.NewChatId(), app.Clock.GetUtcNow().AddDays(-2));
        var path = InboxCalls.Conversation(sessionId, "/template");

        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "no_such_template", language = "pt_BR", variables = Array.Empty<string>() }), 400, "name");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "promo_pending", language = "pt_BR", variables = new[] { "X" } }), 400, "name");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "order_ready", language = "es_ES", variables = new[] { "Ana", "1" } }), 400, "name");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "order_ready", language = "pt_BR", variables = new[] { "Ana" } }), 400, "variables");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "order_ready", language = "pt_BR", variables = new[] { "Ana", "linha\noutra" } }), 400, "variables[1]");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "order_ready", language = "pt_BR", variables = new[] { "Ana", " " } }), 400, "variables[1]");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "Order Ready", language = "pt_BR" }), 400, "name");
        await ApiAssert.ProblemAsync(await admin.PostAsJsonAsync(path, new { name = "order_ready", language = "portuguese" }), 400, "language");
        Assert.That(app.Graph.MessageCalls, Is.Empty);
    }

    [Test]
    public async Task Send_ToAnotherTenantsConversation_Is404()
    {
        var (app, _, instance, _) = await StartAsync();
        await using var _ = app;
        var (sessionId, _) = await MetaChatSeed.CustomerWroteAsync(app, instance, MetaChatSeed.NewChatId(), app.Clock.GetUtcNow().AddDays(-2));
        var (otherTenant, _, _) = await app.CreateTenantWithMetaInstanceAsync();
        var stranger = app.ClientWithKey(await app.CreateApiKeyAsync(otherTenant, "tenant_admin"));

        var response = await stranger.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/template"),
            new { name = "welcome_back", language = "pt_BR", variables = Array.Empty<string>() });

        await ApiAssert.ProblemAsync(response, 404);
        Assert.That(app.Graph.MessageCalls, Is.Empty);
    }

    [Test]
    public async Task Send_InAnEvolutionConversation_Is409()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var tenant = await InboxTenant.CreateAsync(app);
        var (_, sessionId) = await tenant.NewConversationAsync();

        var response = await tenant.Admin.PostAsJsonAsync(InboxCalls.Conversation(sessionId, "/template"),
            new { name = "welcome_back", language = "pt_BR", variables = Array.Empty<string>() });

        Assert.That((await ApiAssert.ProblemAsync(response, 409)).GetProperty("code").GetString(), Is.EqualTo("templates_not_supported"));
        Assert.That(app.Evolution.SuccessfulSends, Is.Empty);
    }
}
