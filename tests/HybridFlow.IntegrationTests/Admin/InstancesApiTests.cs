using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>
/// GET/PATCH/DELETE /api/instances/{name}, test-webhook (Evolution's connectionState) and configure-webhook
/// (Evolution's /webhook/set), against the fake Evolution server, with roles and tenant isolation.
/// </summary>
public sealed class InstancesApiTests
{
    private const string PublicBase = "https://hybridflow.example.com";
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    // Tenant keys here point instances at the fake Evolution on 127.0.0.1, as in a self-hosted set-up with Evolution on a
    // private network; the outbound address rule itself is tested in Security/OutboundAddressTests.
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["OUTBOUND_ALLOW_PRIVATE_NETWORKS"] = "true" });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    /// <summary>An address where nothing listens: connections are refused at once.</summary>
    private static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    /// <summary>Replies of earlier tests may still reach the fake's sendText, so only the admin endpoints are checked.</summary>
    private void AssertEvolutionAdminNotCalled() =>
        Assert.That(_app.Evolution.CallsTo("/instance/").Concat(_app.Evolution.CallsTo("/webhook/")), Is.Empty, "Evolution was not called");

    private static string Path(string instance, string suffix = "", long? tenantId = null) =>
        $"/api/instances/{Uri.EscapeDataString(instance)}{suffix}{(tenantId is { } t ? $"?tenant_id={t}" : "")}";

    // ---- GET /api/instances/{name}

    [Test]
    public async Task Get_ShowsTheInstance_WithSecretsMasked()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var response = await _app.Admin.GetAsync(Path(instance, tenantId: tenantId));
        var text = await response.Content.ReadAsStringAsync();
        var json = await ApiAssert.StatusAsync(response, 200);

        Assert.That(json.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That(json.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
        Assert.That(json.GetProperty("evo_server_url").GetString(), Is.EqualTo(_app.Evolution.BaseAddress.ToString().TrimEnd('/')));
        Assert.That(json.GetProperty("evo_api_key").GetString(), Is.EqualTo("****" + HybridFlowApp.EvolutionApiKey[^4..]));
        Assert.That(json.GetProperty("webhook_secret").GetString(), Is.EqualTo("****" + HybridFlowApp.WebhookSecret[^4..]));
        Assert.That(text, Does.Not.Contain(HybridFlowApp.EvolutionApiKey).And.Not.Contain(HybridFlowApp.WebhookSecret));

        var withoutTenant = await _app.Admin.GetJsonAsync(Path(instance));
        Assert.That(withoutTenant.GetProperty("id").GetInt64(), Is.EqualTo(json.GetProperty("id").GetInt64()));
    }

    [Test]
    public async Task Get_WithTenantKeys_AgentsMayRead()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var agent = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "agent"));
        Assert.That((await agent.GetJsonAsync(Path(instance))).GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That((await agent.GetJsonAsync(Path(instance, tenantId: tenantId))).GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
    }

    [Test]
    public async Task Get_WithBadQuery_Is400()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(instance, tenantId: 0)), 400, "tenant_id");
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(new string('a', 101))), 400, "name");
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(instance) + "?tenant_id=abc"), 400, "tenant_id");
    }

    [Test]
    public async Task Get_UnknownInstance_OrWrongTenant_Is404()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path("no-such-instance")), 404);
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(instance, tenantId: otherTenant)), 404);
        await ApiAssert.StatusAsync(await _app.Admin.GetAsync(Path(instance, tenantId: tenantId)), 200);
    }

    [TestCase("GET", "")]
    [TestCase("PATCH", "")]
    [TestCase("DELETE", "")]
    [TestCase("POST", "/test-webhook")]
    [TestCase("POST", "/configure-webhook")]
    public async Task WithoutKey_Is401_AndTouchesNothing(string method, string suffix)
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var json = method == "PATCH" ? """{"evo_server_url": "http://127.0.0.1:1"}""" : null;
        await ApiAssert.ProblemAsync(await _app.Client.SendJsonAsync(new HttpMethod(method), Path(instance, suffix), json), 401);
        AssertEvolutionAdminNotCalled();
        Assert.That((await _app.Admin.GetJsonAsync(Path(instance))).GetProperty("evo_server_url").GetString(),
            Is.EqualTo(_app.Evolution.BaseAddress.ToString().TrimEnd('/')));
    }

    [TestCase("GET", "")]
    [TestCase("PATCH", "")]
    [TestCase("DELETE", "")]
    [TestCase("POST", "/test-webhook")]
    [TestCase("POST", "/configure-webhook")]
    public async Task WithAnotherTenantsKey_Is404_AndTouchesNothing(string method, string suffix)
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync();
        var otherAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(otherTenant, "tenant_admin"));
        var json = method == "PATCH" ? """{"evo_server_url": "http://127.0.0.1:1"}""" : method == "POST" ? $$"""{"webhook_url_base": "{{PublicBase}}"}""" : null;

        await ApiAssert.ProblemAsync(await otherAdmin.SendJsonAsync(new HttpMethod(method), Path(instance, suffix), json), 404);
        await ApiAssert.ProblemAsync(await otherAdmin.SendJsonAsync(new HttpMethod(method), Path(instance, suffix, otherTenant), json), 404);
        AssertEvolutionAdminNotCalled();
        Assert.That((await _app.Admin.GetJsonAsync(Path(instance))).GetProperty("evo_server_url").GetString(),
            Is.EqualTo(_app.Evolution.BaseAddress.ToString().TrimEnd('/')));
    }

    [TestCase("PATCH", "")]
    [TestCase("DELETE", "")]
    [TestCase("POST", "/test-webhook")]
    [TestCase("POST", "/configure-webhook")]
    public async Task AgentKey_IsForbidden_OnWrites(string method, string suffix)
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var agent = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "agent"));
        var json = method == "PATCH" ? """{"evo_server_url": "http://127.0.0.1:1"}""" : method == "POST" ? $$"""{"webhook_url_base": "{{PublicBase}}"}""" : null;

        await ApiAssert.ProblemAsync(await agent.SendJsonAsync(new HttpMethod(method), Path(instance, suffix), json), 403);
        AssertEvolutionAdminNotCalled();
        await _app.Admin.GetJsonAsync(Path(instance));
    }

    // ---- PATCH /api/instances/{name}

    [Test]
    public async Task Patch_ChangesTheConnection_AndTheSenderUsesIt()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        const string newKey = "0E1F2A3B4C5D6E7F8091A2B3C4D5E6F7";
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["evo_server_url"] = _app.Evolution.BaseAddress + "/",
            ["evo_api_key"] = newKey,
        });

        var response = await tenantAdmin.PatchJsonAsync(Path(instance, tenantId: tenantId), body);
        var text = await response.Content.ReadAsStringAsync();
        var patched = await ApiAssert.StatusAsync(response, 200);
        Assert.That(patched.GetProperty("evo_api_key").GetString(), Is.EqualTo("****" + newKey[^4..]));
        Assert.That(patched.GetProperty("webhook_secret").GetString(), Is.EqualTo("****" + HybridFlowApp.WebhookSecret[^4..]), "absent fields are kept");
        Assert.That(patched.GetProperty("evo_server_url").GetString(), Does.Not.EndWith("/"));
        Assert.That(text, Does.Not.Contain(newKey));

        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply was sent");
        Assert.That(_app.Evolution.SendsTo(chat)[0].Header("apikey"), Is.EqualTo(newKey));
    }

    [Test]
    public async Task Patch_WebhookSecret_ReplacesOrClearsIt()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        const string newSecret = "a-brand-new-webhook-secret-0042";
        // Without the body's apikey, so that only the secret header can authenticate the call.
        static System.Text.Json.Nodes.JsonObject Unsigned()
        {
            var payload = Payloads.CustomerText(Payloads.NewChatId(), "Oi");
            payload.Remove("apikey");
            return payload;
        }

        await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync(Path(instance), $$"""{"webhook_secret": "{{newSecret}}"}"""), 200);
        await ApiAssert.ProblemAsync(await _app.PostWebhookAsync(instance, Unsigned()), 401);
        Assert.That((int)(await _app.PostWebhookAsync(instance, Unsigned(), newSecret)).StatusCode, Is.EqualTo(200));

        var cleared = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync(Path(instance), """{"webhook_secret": null}"""), 200);
        Assert.That(cleared.GetProperty("webhook_secret").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(await _app.ScalarAsync<bool>("SELECT webhook_secret IS NULL FROM instances WHERE instance_name = $1", instance), Is.True);
        await ApiAssert.ProblemAsync(await _app.PostWebhookAsync(instance, Unsigned(), newSecret), 401);
    }

    [TestCase("""{"evo_server_url": "ftp://evolution.example.com"}""", "evo_server_url")]
    [TestCase("""{"evo_server_url": null}""", "evo_server_url")]
    [TestCase("""{"evo_server_url": ""}""", "evo_server_url")]
    [TestCase("""{"evo_api_key": null}""", "evo_api_key")]
    [TestCase("""{"evo_api_key": ""}""", "evo_api_key")]
    [TestCase("""{"webhook_secret": "short"}""", "webhook_secret")]
    [TestCase("""{"webhook_secret": 12345678901234567890}""", "$.webhook_secret")]
    public async Task Patch_WithBadField_Is400_NamingIt_AndChangesNothing(string body, string field)
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var before = await _app.Admin.GetJsonAsync(Path(instance));
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync(Path(instance), body), 400, field);
        Assert.That((await _app.Admin.GetJsonAsync(Path(instance))).ToString(), Is.EqualTo(before.ToString()));
    }

    [Test]
    public async Task Patch_UnknownInstance_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.PatchJsonAsync(Path("no-such-instance"), """{"evo_api_key": "k"}"""), 404);

    // ---- DELETE /api/instances/{name}

    [Test]
    public async Task Delete_RemovesTheInstanceWithItsChats()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("recorded"));
        var instanceId = await _app.ScalarAsync<long>("SELECT id FROM instances WHERE instance_name = $1", instance);

        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        await ApiAssert.StatusAsync(await tenantAdmin.DeleteAsync(Path(instance, tenantId: tenantId)), 204);

        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(instance)), 404);
        foreach (var table in new[] { "sessions", "messages" })
            Assert.That(await _app.ScalarAsync<long>($"SELECT count(*) FROM {table} WHERE instance_id = $1", instanceId), Is.Zero, table);
        // A deleted instance is unknown now: its old secret is refused like any other (401, whether the instance exists or not).
        await ApiAssert.ProblemAsync(await _app.PostWebhookAsync(instance, Payloads.CustomerText(chat, "Alô?")), 401);
        await _app.Admin.GetJsonAsync($"/api/tenants/{tenantId}");
    }

    [Test]
    public async Task Delete_WithBadTenantId_Is400() =>
        await ApiAssert.ProblemAsync(await _app.Admin.DeleteAsync(Path("any-instance", tenantId: -5)), 400, "tenant_id");

    [Test]
    public async Task Delete_UnknownInstance_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.DeleteAsync(Path("no-such-instance")), 404);

    // ---- POST /api/instances/{name}/test-webhook

    [TestCase("open")]
    [TestCase("connecting")]
    [TestCase("close")]
    [TestCase(null)]
    public async Task TestWebhook_ReportsEvolutionsConnectionState(string? state)
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Evolution.SetConnectionState(instance, state);
        _app.Evolution.RequiredApiKey = HybridFlowApp.EvolutionApiKey;
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));

        var response = await tenantAdmin.PostAsync(Path(instance, "/test-webhook", tenantId), null);
        var text = await response.Content.ReadAsStringAsync();
        var report = await ApiAssert.StatusAsync(response, 200);

        Assert.That(report.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That(report.GetProperty("reachable").GetBoolean(), Is.True);
        Assert.That(report.GetProperty("http_status").GetInt32(), Is.EqualTo(200));
        Assert.That(report.GetProperty("error").ValueKind, Is.EqualTo(JsonValueKind.Null));
        if (state is null) Assert.That(report.GetProperty("state").ValueKind, Is.EqualTo(JsonValueKind.Null));
        else Assert.That(report.GetProperty("state").GetString(), Is.EqualTo(state));
        Assert.That(text, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));

        var call = _app.Evolution.CallsTo("/instance/connectionState/").Single();
        Assert.That(call.Method, Is.EqualTo("GET"));
        Assert.That(call.Path, Is.EqualTo($"/instance/connectionState/{instance}"));
        Assert.That(call.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
    }

    [Test]
    public async Task TestWebhook_WhenEvolutionIsDown_Is200_WithTheReason()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(evolution: ClosedPort());
        var report = await ApiAssert.StatusAsync(await _app.Admin.PostAsync(Path(instance, "/test-webhook"), null), 200);
        Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("state").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(report.GetProperty("http_status").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(report.GetProperty("error").GetString(), Does.Contain("could not be reached"));
    }

    [Test]
    public async Task TestWebhook_WhenEvolutionRefusesTheKey_ReportsIts401()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Evolution.RequiredApiKey = "a-different-key";
        var report = await ApiAssert.StatusAsync(await _app.Admin.PostAsync(Path(instance, "/test-webhook"), null), 200);
        Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("http_status").GetInt32(), Is.EqualTo(401));
        Assert.That(report.GetProperty("error").GetString(), Does.Contain("evo_api_key"));
    }

    [Test]
    public async Task TestWebhook_WhenEvolutionDoesNotKnowTheInstance_ReportsIts404()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Evolution.ForgetInstance(instance);
        var report = await ApiAssert.StatusAsync(await _app.Admin.PostAsync(Path(instance, "/test-webhook"), null), 200);
        Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("http_status").GetInt32(), Is.EqualTo(404));
        Assert.That(report.GetProperty("error").GetString(), Does.Contain("does not exist"));
    }

    [Test]
    public async Task TestWebhook_WithBadTenantId_Is400() =>
        await ApiAssert.ProblemAsync(await _app.Admin.PostAsync(Path("any-instance", "/test-webhook", 0), null), 400, "tenant_id");

    [Test]
    public async Task TestWebhook_UnknownInstance_Is404()
    {
        await ApiAssert.ProblemAsync(await _app.Admin.PostAsync(Path("no-such-instance", "/test-webhook"), null), 404);
        AssertEvolutionAdminNotCalled();
    }

    // ---- POST /api/instances/{name}/configure-webhook

    [Test]
    public async Task ConfigureWebhook_SetsTheNestedWebhookOnEvolution_AndItsWebhooksAreAccepted()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        _app.Evolution.RequiredApiKey = HybridFlowApp.EvolutionApiKey;
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));

        var response = await tenantAdmin.PostAsync(Path(instance, "/configure-webhook", tenantId),
            new StringContent($$"""{"webhook_url_base": "{{PublicBase}}/"}""", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        var result = await ApiAssert.StatusAsync(response, 200);

        var expectedUrl = $"{PublicBase}/webhook/{instance}";
        string[] expectedEvents = ["MESSAGES_UPSERT", "SEND_MESSAGE", "MESSAGES_UPDATE", "MESSAGES_DELETE", "CONNECTION_UPDATE", "QRCODE_UPDATED"];
        Assert.That(result.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "instance_name", "webhook_url", "events", "evolution_status" }));
        Assert.That(result.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That(result.GetProperty("webhook_url").GetString(), Is.EqualTo(expectedUrl));
        Assert.That(result.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(expectedEvents));
        Assert.That(result.GetProperty("evolution_status").GetInt32(), Is.EqualTo(201));
        Assert.That(text, Does.Not.Contain(HybridFlowApp.WebhookSecret).And.Not.Contain(HybridFlowApp.EvolutionApiKey));

        var call = _app.Evolution.CallsTo("/webhook/set/").Single();
        Assert.That(call.Method, Is.EqualTo("POST"));
        Assert.That(call.Path, Is.EqualTo($"/webhook/set/{instance}"));
        Assert.That(call.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
        var webhook = call.Json.GetProperty("webhook");
        Assert.That(call.Json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "webhook" }), "the body is nested");
        Assert.That(webhook.GetProperty("enabled").GetBoolean(), Is.True);
        Assert.That(webhook.GetProperty("url").GetString(), Is.EqualTo(expectedUrl));
        Assert.That(webhook.GetProperty("byEvents").GetBoolean(), Is.False);
        Assert.That(webhook.GetProperty("base64").GetBoolean(), Is.False);
        Assert.That(webhook.GetProperty("events").EnumerateArray().Select(e => e.GetString()), Is.EqualTo(expectedEvents));
        Assert.That(webhook.GetProperty("headers").GetProperty("X-Webhook-Secret").GetString(), Is.EqualTo(HybridFlowApp.WebhookSecret));

        // Deliver the way Evolution now will: to the configured path, with the configured headers.
        var stored = _app.Evolution.WebhookOf(instance)!.Value;
        var path = new Uri(stored.GetProperty("url").GetString()!).AbsolutePath;
        var secret = stored.GetProperty("headers").GetProperty("X-Webhook-Secret").GetString();
        var delivered = await _app.PostRawWebhookAsync(path, Payloads.CustomerText(Payloads.NewChatId(), "Oi").WithInstance(instance).ToJsonString(), secret);
        Assert.That((int)delivered.StatusCode, Is.EqualTo(200), await delivered.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task ConfigureWebhook_WithoutAnInstanceSecret_GeneratesAndStoresOne()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" }, webhookSecret: null);
        var response = await _app.Admin.PostAsync(Path(instance, "/configure-webhook"),
            new StringContent($$"""{"webhook_url_base": "{{PublicBase}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        await ApiAssert.StatusAsync(response, 200);

        var secret = _app.Evolution.CallsTo("/webhook/set/").Single().Json.GetProperty("webhook").GetProperty("headers").GetProperty("X-Webhook-Secret").GetString()!;
        Assert.That(secret, Has.Length.GreaterThanOrEqualTo(32), "a strong secret");
        Assert.That(text, Does.Not.Contain(secret));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM instances WHERE instance_name = $1 AND webhook_secret IS NOT NULL", instance), Is.EqualTo(1));
        var shown = await _app.Admin.GetJsonAsync(Path(instance));
        Assert.That(shown.GetProperty("webhook_secret").GetString(), Is.EqualTo("****" + secret[^4..]));
        Assert.That((int)(await _app.PostWebhookAsync(instance, Payloads.CustomerText(Payloads.NewChatId(), "Oi"), secret)).StatusCode, Is.EqualTo(200));

        // A second run keeps the stored secret rather than rotating it under Evolution's feet.
        await ApiAssert.StatusAsync(await _app.Admin.PostAsync(Path(instance, "/configure-webhook"),
            new StringContent($$"""{"webhook_url_base": "{{PublicBase}}"}""", System.Text.Encoding.UTF8, "application/json")), 200);
        Assert.That(_app.Evolution.CallsTo("/webhook/set/").Last().Json.GetProperty("webhook").GetProperty("headers").GetProperty("X-Webhook-Secret").GetString(),
            Is.EqualTo(secret));
    }

    [Test]
    public async Task ConfigureWebhook_WithoutPublicUrl_Is400_NamingTheField()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var problem = await ApiAssert.ProblemAsync(await _app.Admin.PostAsync(Path(instance, "/configure-webhook"), null), 400, "webhook_url_base");
        Assert.That(problem.ToString(), Does.Contain("PUBLIC_BASE_URL"));
        AssertEvolutionAdminNotCalled();
    }

    [TestCase("""{"webhook_url_base": "not a url"}""", "webhook_url_base")]
    [TestCase("""{"webhook_url_base": "ftp://hybridflow.example.com"}""", "webhook_url_base")]
    [TestCase("""{"webhook_url_base": "https://hybridflow.example.com/?x=1"}""", "webhook_url_base")]
    [TestCase("""{"webhook_url_base": 5}""", "$.webhook_url_base")]
    public async Task ConfigureWebhook_WithBadBody_Is400(string body, string field)
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, Path(instance, "/configure-webhook"), body), 400, field);
        AssertEvolutionAdminNotCalled();
    }

    [Test]
    public async Task ConfigureWebhook_UnknownInstance_Is404() =>
        await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, Path("no-such-instance", "/configure-webhook"),
            $$"""{"webhook_url_base": "{{PublicBase}}"}"""), 404);

    [Test]
    public async Task ConfigureWebhook_WhenEvolutionRefuses_Is502_WithItsStatus()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        _app.Evolution.ForgetInstance(instance);
        var problem = await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, Path(instance, "/configure-webhook"),
            $$"""{"webhook_url_base": "{{PublicBase}}"}"""), 502);
        Assert.That(problem.GetProperty("evolution_status").GetInt32(), Is.EqualTo(404));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("does not exist"));

        _app.Evolution.Reset();
        _app.Evolution.RequiredApiKey = "a-different-key";
        problem = await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, Path(instance, "/configure-webhook"),
            $$"""{"webhook_url_base": "{{PublicBase}}"}"""), 502);
        Assert.That(problem.GetProperty("evolution_status").GetInt32(), Is.EqualTo(401));
        Assert.That(problem.ToString(), Does.Not.Contain(HybridFlowApp.WebhookSecret));
    }

    [Test]
    public async Task ConfigureWebhook_WhenEvolutionIsDown_Is502()
    {
        var (_, instance) = await _app.CreateTenantWithInstanceAsync(evolution: ClosedPort());
        var problem = await ApiAssert.ProblemAsync(await _app.Admin.SendJsonAsync(HttpMethod.Post, Path(instance, "/configure-webhook"),
            $$"""{"webhook_url_base": "{{PublicBase}}"}"""), 502);
        Assert.That(problem.GetProperty("evolution_status").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task ConfigureWebhook_UsesPublicBaseUrl_FromTheEnvironment()
    {
        await using var app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["PUBLIC_BASE_URL"] = "https://hf.example.org/base/" });
        var (_, instance) = await app.CreateTenantWithInstanceAsync();
        var result = await ApiAssert.StatusAsync(await app.Admin.PostAsync(Path(instance, "/configure-webhook"), null), 200);
        Assert.That(result.GetProperty("webhook_url").GetString(), Is.EqualTo($"https://hf.example.org/base/webhook/{instance}"));
        Assert.That(app.Evolution.WebhookOf(instance)!.Value.GetProperty("url").GetString(), Is.EqualTo($"https://hf.example.org/base/webhook/{instance}"));

        var overridden = await ApiAssert.StatusAsync(await app.Admin.SendJsonAsync(HttpMethod.Post, Path(instance, "/configure-webhook"),
            $$"""{"webhook_url_base": "{{PublicBase}}"}"""), 200);
        Assert.That(overridden.GetProperty("webhook_url").GetString(), Is.EqualTo($"{PublicBase}/webhook/{instance}"), "the body wins over the environment");
    }
}
