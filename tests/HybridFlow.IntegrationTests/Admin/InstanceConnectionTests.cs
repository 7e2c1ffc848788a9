using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Admin;

/// <summary>
/// Connecting WhatsApp by QR code (ADR-018): POST /api/instances/{name}/connect against the fake Evolution's
/// /instance/connect and /instance/create, QRCODE_UPDATED and CONNECTION_UPDATE through the real webhook with
/// Evolution's bodies, GET …/connection, and who may see a QR code: the tenant's admins only, never another tenant's,
/// never an agent, never the inbox events or the logs.
/// </summary>
[NonParallelizable] // the log check captures the console, which every test running beside it writes to (Support/ConsoleCapture)
public sealed class InstanceConnectionTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() =>
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["OUTBOUND_ALLOW_PRIVATE_NETWORKS"] = "true", ["LOG_LEVEL"] = "info" });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    private static string Path(string instance, string suffix = "") => $"/api/instances/{Uri.EscapeDataString(instance)}{suffix}";

    private async Task<(long TenantId, string Instance, HttpClient TenantAdmin)> TenantWithAdminAsync()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "off" });
        return (tenantId, instance, _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin")));
    }

    [Test]
    public async Task Connect_AsksEvolutionWithTheInstanceToken_AndAnswersTheQrCodeAndPairingCode()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();

        var connection = await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);

        Assert.That(connection.EnumerateObject().Select(p => p.Name),
            Is.EquivalentTo(new[] { "instance_name", "state", "qr_code", "pairing_code", "updated_at", "created_on_evolution" }));
        Assert.That(connection.GetProperty("state").GetString(), Is.EqualTo("connecting"));
        Assert.That(connection.GetProperty("qr_code").GetString(), Is.EqualTo(FakeEvolutionServer.QrCodeDataUrl(instance, 1)));
        Assert.That(connection.GetProperty("pairing_code").GetString(), Is.EqualTo(FakeEvolutionServer.FakePairingCode));
        Assert.That(connection.GetProperty("created_on_evolution").GetBoolean(), Is.False);
        var call = _app.Evolution.CallsTo(FakeEvolutionServer.ConnectPath).Single();
        Assert.That(call.Method, Is.EqualTo("GET"));
        Assert.That(call.Path, Is.EqualTo(FakeEvolutionServer.ConnectPath + instance));
        Assert.That(call.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
        Assert.That(_app.Evolution.CallsTo(FakeEvolutionServer.CreateInstancePath), Is.Empty, "Evolution knows the instance: nothing to create");

        var polled = await admin.GetJsonAsync(Path(instance, "/connection"));
        Assert.That(polled.GetProperty("qr_code").GetString(), Is.EqualTo(FakeEvolutionServer.QrCodeDataUrl(instance, 1)));
        Assert.That(polled.GetProperty("state").GetString(), Is.EqualTo("connecting"));

        var stored = await _app.ScalarAsync<string>(
            "SELECT c.qr_code FROM instance_connections c JOIN instances i ON i.id = c.instance_id WHERE i.instance_name = $1", instance);
        Assert.That(stored, Is.Not.Null.And.Not.Contains("iVBOR").And.Not.Contains(FakeEvolutionServer.FakePairingCode), "encrypted at rest");
    }

    [Test]
    public async Task QrCodeUpdated_ThenConnectionOpen_ThroughTheWebhook_AreShown_AndTheQrCodeIsGoneOnceOpen()
    {
        var (tenantId, instance, admin) = await TenantWithAdminAsync();
        await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);

        var renewed = FakeEvolutionServer.QrCodeDataUrl(instance, 2);
        Assert.That(await _app.DeliverAsync(instance, FakeEvolutionServer.QrCodeUpdatedPayload(instance, renewed, "ABCD-1234")), Is.EqualTo("qrcode_updated"));
        var connecting = await admin.GetJsonAsync(Path(instance, "/connection"));
        Assert.That(connecting.GetProperty("qr_code").GetString(), Is.EqualTo(renewed));
        Assert.That(connecting.GetProperty("pairing_code").GetString(), Is.EqualTo("ABCD-1234"));

        Assert.That(await _app.DeliverAsync(instance, FakeEvolutionServer.ConnectionUpdatePayload(instance, "open")), Is.EqualTo("connection_updated"));
        var open = await admin.GetJsonAsync(Path(instance, "/connection"));
        Assert.That(open.GetProperty("state").GetString(), Is.EqualTo("open"));
        Assert.That(open.GetProperty("qr_code").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(open.GetProperty("pairing_code").ValueKind, Is.EqualTo(JsonValueKind.Null));

        // Evolution's webhooks are unordered: a QR code that arrives after the link opened changes nothing.
        var late = FakeEvolutionServer.QrCodeDataUrl(instance, 3);
        Assert.That(await _app.DeliverAsync(instance, FakeEvolutionServer.QrCodeUpdatedPayload(instance, late, null)), Is.EqualTo("qrcode_ignored"));
        var stillOpen = await admin.GetJsonAsync(Path(instance, "/connection"));
        Assert.That(stillOpen.GetProperty("state").GetString(), Is.EqualTo("open"));
        Assert.That(stillOpen.GetProperty("qr_code").ValueKind, Is.EqualTo(JsonValueKind.Null));

        // A logout closes it; nothing of this reached the inbox's events, the chats or the timeline.
        Assert.That(await _app.DeliverAsync(instance, FakeEvolutionServer.ConnectionUpdatePayload(instance, "close")), Is.EqualTo("connection_updated"));
        Assert.That((await admin.GetJsonAsync(Path(instance, "/connection"))).GetProperty("state").GetString(), Is.EqualTo("close"));
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM inbox_events WHERE tenant_id = $1", tenantId), Is.Zero);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE tenant_id = $1", tenantId), Is.Zero);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM messages WHERE tenant_id = $1", tenantId), Is.Zero);
    }

    [Test]
    public async Task AQrCodeThatIsNoPngDataUrl_IsAcknowledged_AndNotStored()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        var payload = FakeEvolutionServer.QrCodeUpdatedPayload(instance, "javascript:alert(1)", "<b>");
        Assert.That(await _app.DeliverAsync(instance, payload), Is.EqualTo("ignored_event"));
        var connection = await admin.GetJsonAsync(Path(instance, "/connection"));
        Assert.That(connection.GetProperty("state").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(connection.GetProperty("qr_code").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task Connect_AnInstanceEvolutionDoesNotKnow_CreatesItWithTheWriteOnlyGlobalKey()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        var globalKey = "evo-global-" + Guid.NewGuid().ToString("N");
        _app.Evolution.GlobalApiKey = globalKey;
        var patched = await admin.PatchAsync(Path(instance), JsonContent.Create(new { evo_global_api_key = globalKey }));
        var patchText = await patched.Content.ReadAsStringAsync();
        var dto = await ApiAssert.StatusAsync(patched, 200);
        Assert.That(dto.GetProperty("evo_global_api_key_set").GetBoolean(), Is.True);
        Assert.That(patchText, Does.Not.Contain(globalKey).And.Not.Contain(globalKey[^4..]), "write-only: not even masked");
        var read = await admin.GetAsync(Path(instance));
        Assert.That(await read.Content.ReadAsStringAsync(), Does.Not.Contain(globalKey[^4..]));
        Assert.That(await _app.ScalarAsync<string>("SELECT evo_global_api_key FROM instances WHERE instance_name = $1", instance),
            Does.Not.Contain(globalKey), "encrypted at rest");
        _app.Evolution.ForgetInstance(instance);

        var connection = await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);

        Assert.That(connection.GetProperty("created_on_evolution").GetBoolean(), Is.True);
        Assert.That(connection.GetProperty("state").GetString(), Is.EqualTo("connecting"));
        Assert.That(connection.GetProperty("qr_code").GetString(), Does.StartWith("data:image/png;base64,iVBOR"));
        var create = _app.Evolution.CallsTo(FakeEvolutionServer.CreateInstancePath).Single();
        Assert.That(create.Header("apikey"), Is.EqualTo(globalKey));
        Assert.That(create.Json.GetProperty("instanceName").GetString(), Is.EqualTo(instance));
        Assert.That(create.Json.GetProperty("token").GetString(), Is.EqualTo(HybridFlowApp.EvolutionApiKey), "the token HybridFlow holds");
        Assert.That(create.Json.GetProperty("integration").GetString(), Is.EqualTo("WHATSAPP-BAILEYS"));
        Assert.That(create.Json.GetProperty("qrcode").GetBoolean(), Is.True);

        // The next connect finds it: no second create.
        await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);
        Assert.That(_app.Evolution.CallsTo(FakeEvolutionServer.CreateInstancePath), Has.Count.EqualTo(1));

        // null removes the global key.
        var cleared = await ApiAssert.StatusAsync(await admin.PatchAsync(Path(instance), JsonContent.Create(new { evo_global_api_key = (string?)null })), 200);
        Assert.That(cleared.GetProperty("evo_global_api_key_set").GetBoolean(), Is.False);
    }

    [Test]
    public async Task Connect_AnInstanceEvolutionDoesNotKnow_WithoutAGlobalKey_Is502_Saying_How()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        _app.Evolution.ForgetInstance(instance);
        var problem = await ApiAssert.ProblemAsync(await admin.PostAsync(Path(instance, "/connect"), null), 502);
        Assert.That(problem.GetProperty("evolution_status").GetInt32(), Is.EqualTo(404));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("evo_global_api_key"));
        Assert.That(_app.Evolution.CallsTo(FakeEvolutionServer.CreateInstancePath), Is.Empty);
    }

    /// <summary>Evolution failing as it does: a 500 from Baileys, then a connection dropped without an answer. Nothing is stored; the next try works.</summary>
    [Test]
    public async Task Connect_WhenEvolutionFailsOrDropsTheConnection_IsABadGateway_AndStoresNothing_AndTheNextTryWorks()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        _app.Evolution.FailNext((500, """{"status":500,"error":"Internal Server Error","response":{"message":["Connection Closed"]}}"""));

        var failed = await admin.PostAsync(Path(instance, "/connect"), null);
        Assert.That((int)failed.StatusCode, Is.EqualTo(502), await failed.Content.ReadAsStringAsync());

        _app.Evolution.DropNext();
        var dropped = await admin.PostAsync(Path(instance, "/connect"), null);
        Assert.That((int)dropped.StatusCode, Is.AnyOf(502, 503), await dropped.Content.ReadAsStringAsync());
        Assert.That(await _app.ScalarAsync<long>(
            "SELECT count(*) FROM instance_connections c JOIN instances i ON i.id = c.instance_id WHERE i.instance_name = $1", instance), Is.Zero);

        var connection = await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);
        Assert.That(connection.GetProperty("qr_code").GetString(), Is.EqualTo(FakeEvolutionServer.QrCodeDataUrl(instance, 1)));
    }

    [Test]
    public async Task Connect_WhenAlreadyOpen_AnswersOpen_WithoutAQrCode()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        _app.Evolution.SetConnectionState(instance, "open");
        var connection = await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);
        Assert.That(connection.GetProperty("state").GetString(), Is.EqualTo("open"));
        Assert.That(connection.GetProperty("qr_code").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }

    [Test]
    public async Task OnlyTheTenantsAdmins_SeeTheQrCode_OtherTenantsAndAgentsNever()
    {
        var (tenantId, instance, admin) = await TenantWithAdminAsync();
        await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);
        var qr = FakeEvolutionServer.QrCodeDataUrl(instance, 1);
        var connectCalls = _app.Evolution.CallsTo(FakeEvolutionServer.ConnectPath).Count;

        var (otherTenantId, _, otherAdmin) = await TenantWithAdminAsync();
        var agentKey = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "agent"));
        var agentEmail = $"agent-{Guid.NewGuid():N}@example.test";
        await UserSessions.CreateUserAsync(_app, tenantId, agentEmail, "agent");
        var agentUser = await UserSessions.LoginAsync(_app, agentEmail);
        var otherAdminEmail = $"admin-{Guid.NewGuid():N}@example.test";
        await UserSessions.CreateUserAsync(_app, otherTenantId, otherAdminEmail, "tenant_admin");
        var otherAdminUser = await UserSessions.LoginAsync(_app, otherAdminEmail);

        foreach (var (who, client, status) in new[]
                 {
                     ("another tenant's admin key", otherAdmin, 404), ("another tenant's admin user", otherAdminUser, 404),
                     ("an agent key", agentKey, 403), ("an agent user", agentUser, 403), ("nobody", _app.CreateClient(), 401),
                 })
        {
            foreach (var response in new[] { await client.GetAsync(Path(instance, "/connection")), await client.PostAsync(Path(instance, "/connect"), null) })
            {
                var body = await response.Content.ReadAsStringAsync();
                Assert.That((int)response.StatusCode, Is.EqualTo(status), $"{who}: {body}");
                Assert.That(body, Does.Not.Contain("iVBOR").And.Not.Contain(FakeEvolutionServer.FakePairingCode), who);
            }
        }
        Assert.That(_app.Evolution.CallsTo(FakeEvolutionServer.ConnectPath), Has.Count.EqualTo(connectCalls), "nobody else made Evolution connect");

        // The tenant's own admin user (cookie) and the platform admin do see it.
        var adminEmail = $"admin-{Guid.NewGuid():N}@example.test";
        await UserSessions.CreateUserAsync(_app, tenantId, adminEmail, "tenant_admin");
        var adminUser = await UserSessions.LoginAsync(_app, adminEmail);
        Assert.That((await adminUser.GetJsonAsync(Path(instance, "/connection"))).GetProperty("qr_code").GetString(), Is.EqualTo(qr));
        Assert.That((await _app.Admin.GetJsonAsync(Path(instance, $"/connection?tenant_id={tenantId}"))).GetProperty("qr_code").GetString(), Is.EqualTo(qr));
        await ApiAssert.ProblemAsync(await _app.Admin.GetAsync(Path(instance, $"/connection?tenant_id={otherTenantId}")), 404);
    }

    [Test]
    public async Task ACloudApiNumber_IsNotConnectedByQrCode()
    {
        var (tenantId, instance, _) = await _app.CreateTenantWithMetaInstanceAsync();
        var admin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        await ApiAssert.ProblemAsync(await admin.PostAsync(Path(instance, "/connect"), null), 400, "provider");
        await ApiAssert.ProblemAsync(await admin.GetAsync(Path(instance, "/connection")), 400, "provider");
        await ApiAssert.ProblemAsync(await admin.PatchAsync(Path(instance), JsonContent.Create(new { evo_global_api_key = "x-global-key" })), 400, "provider");
        Assert.That(_app.Evolution.CallsTo(FakeEvolutionServer.ConnectPath), Is.Empty);
    }

    [Test]
    public async Task NoQrCodeOrPairingCode_IsEverLogged()
    {
        var (_, instance, admin) = await TenantWithAdminAsync();
        string log;
        using (var capture = new ConsoleCapture())
        {
            await ApiAssert.StatusAsync(await admin.PostAsync(Path(instance, "/connect"), null), 200);
            await _app.DeliverAsync(instance, FakeEvolutionServer.QrCodeUpdatedPayload(instance, FakeEvolutionServer.QrCodeDataUrl(instance, 2), "ABCD-9876"));
            await _app.DeliverAsync(instance, FakeEvolutionServer.ConnectionUpdatePayload(instance, "open"));
            await admin.GetJsonAsync(Path(instance, "/connection"));
            await capture.UntilAsync(l => l.Contains($"\"path\":\"/api/instances/{instance}/connection\"", StringComparison.Ordinal), "the last request's line");
            log = capture.Text;
        }
        Assert.That(log, Does.Contain("\"action\":\"qrcode_updated\""), "the webhook was logged, by its action");
        Assert.That(log, Does.Not.Contain("iVBOR"), "no QR code image");
        Assert.That(log, Does.Not.Contain("ABCD-9876").And.Not.Contain(FakeEvolutionServer.FakePairingCode), "no pairing code");
        Assert.That(log, Does.Not.Contain("y8Kp3QfV0mZx7TnE4sWbLq9R"), "no QR code text");
    }
}
