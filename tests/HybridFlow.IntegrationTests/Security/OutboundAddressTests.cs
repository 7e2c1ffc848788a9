using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>
/// SSRF protection: URLs the server calls that a tenant key may set (evo_server_url, workflow_url) may not reach loopback,
/// private, link-local or metadata addresses; checked when saved (with DNS) and again when connected to.
/// </summary>
public sealed class OutboundAddressTests
{
    private const string Refusal = "must not point to a private, loopback or link-local address";
    private const string Blocked = "outbound address not allowed";
    private const string WorkflowSecret = "tenant-workflow-secret-0123456789";
    private HybridFlowApp _app = null!;
    private FakeWorkflowServer _workflow = null!;
    private long _tenantId;
    private HttpClient _tenantAdmin = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _workflow = await FakeWorkflowServer.StartAsync();
        _app = await HybridFlowApp.StartAsync();
        (_tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        _tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(_tenantId, "tenant_admin"));
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        _tenantAdmin.Dispose();
        await _app.DisposeAsync();
        await _workflow.DisposeAsync();
    }

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    private static string NewName() => "ssrf-" + Guid.NewGuid().ToString("N")[..10];

    private Task<HttpResponseMessage> CreateInstanceAsync(HttpClient client, string name, string url) =>
        client.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = _tenantId, ["instance_name"] = name, ["evo_server_url"] = url, ["evo_api_key"] = HybridFlowApp.EvolutionApiKey,
            ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        });

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var problem = await ApiAssert.ProblemAsync(response, 400, field);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()).ToList();
        Assert.That(messages, Has.Some.Contains(Refusal), problem.ToString());
    }

    private Task<bool?> TrustedAsync(string instance) =>
        _app.ScalarAsync<bool?>("SELECT evo_server_url_trusted FROM instances WHERE instance_name = $1", instance);

    // ---- at save time

    [TestCase("http://127.0.0.1:8080", TestName = "Save_LoopbackV4_IsRefused")]
    [TestCase("http://127.8.9.10/", TestName = "Save_Loopback127Slash8_IsRefused")]
    [TestCase("http://[::1]:8080/", TestName = "Save_LoopbackV6_IsRefused")]
    [TestCase("http://10.1.2.3", TestName = "Save_Private10_IsRefused")]
    [TestCase("http://172.16.0.1", TestName = "Save_Private172_16_IsRefused")]
    [TestCase("https://172.31.255.254", TestName = "Save_Private172_31_IsRefused")]
    [TestCase("http://192.168.1.10:8080", TestName = "Save_Private192_168_IsRefused")]
    [TestCase("http://169.254.169.254/latest", TestName = "Save_CloudMetadata_IsRefused")]
    [TestCase("http://169.254.10.1", TestName = "Save_LinkLocalV4_IsRefused")]
    [TestCase("http://100.64.0.1", TestName = "Save_Cgnat_IsRefused")]
    [TestCase("http://100.127.255.254", TestName = "Save_CgnatTop_IsRefused")]
    [TestCase("http://0.0.0.0:8080", TestName = "Save_UnspecifiedV4_IsRefused")]
    [TestCase("http://[::]/", TestName = "Save_UnspecifiedV6_IsRefused")]
    [TestCase("http://[::ffff:127.0.0.1]/", TestName = "Save_Ipv4MappedLoopback_IsRefused")]
    [TestCase("http://[::ffff:169.254.169.254]/", TestName = "Save_Ipv4MappedMetadata_IsRefused")]
    [TestCase("http://[2002:a9fe:a9fe::1]/", TestName = "Save_6to4Metadata_IsRefused")]
    [TestCase("http://[64:ff9b::7f00:1]/", TestName = "Save_Nat64Loopback_IsRefused")]
    [TestCase("http://[fc00::1]/", TestName = "Save_UniqueLocalFc_IsRefused")]
    [TestCase("http://[fd12:3456::1]/", TestName = "Save_UniqueLocalFd_IsRefused")]
    [TestCase("http://[fd00:ec2::254]/", TestName = "Save_Ec2MetadataV6_IsRefused")]
    [TestCase("http://[fe80::1]/", TestName = "Save_LinkLocalV6_IsRefused")]
    [TestCase("http://224.0.0.1", TestName = "Save_Multicast_IsRefused")]
    [TestCase("http://[ff02::1]/", TestName = "Save_MulticastV6_IsRefused")]
    [TestCase("http://255.255.255.255", TestName = "Save_Broadcast_IsRefused")]
    [TestCase("http://2130706433/", TestName = "Save_DecimalLoopback_IsRefused")]
    public async Task Save_WithATenantKey_PrivateAddressesAreRefused(string url)
    {
        var name = NewName();
        await AssertRefusedAsync(await CreateInstanceAsync(_tenantAdmin, name, url), "evo_server_url");
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM instances WHERE instance_name = $1", name), Is.Zero, "nothing stored");
    }

    [Test]
    public async Task Save_WithATenantKey_AHostnameResolvingToLoopback_IsRefused()
    {
        // localhost is the one name that resolves here (to 127.0.0.1 and ::1): no external DNS on these machines.
        await AssertRefusedAsync(await CreateInstanceAsync(_tenantAdmin, NewName(), $"http://localhost:{_app.Evolution.BaseAddress.Port}"), "evo_server_url");
    }

    [Test]
    public async Task Save_WithATenantKey_APublicAddress_IsAccepted_AndStoredUntrusted()
    {
        var name = NewName();
        // Saving makes no request: the address only has to be a public one.
        var created = await ApiAssert.StatusAsync(await CreateInstanceAsync(_tenantAdmin, name, "https://93.184.215.14/evolution"), 201);
        Assert.That(created.GetProperty("evo_server_url").GetString(), Is.EqualTo("https://93.184.215.14/evolution"));
        Assert.That(await TrustedAsync(name), Is.False);
    }

    [Test]
    public async Task Patch_WithATenantKey_ToTheMetadataAddress_IsRefused_AndTheUrlIsKept()
    {
        var name = NewName();
        await ApiAssert.StatusAsync(await CreateInstanceAsync(_app.Admin, name, _app.Evolution.BaseAddress.ToString()), 201);

        var response = await _tenantAdmin.PatchJsonAsync($"/api/instances/{name}", """{"evo_server_url": "http://169.254.169.254/latest/meta-data"}""");
        await AssertRefusedAsync(response, "evo_server_url");
        Assert.That(await _app.ScalarAsync<string>("SELECT evo_server_url FROM instances WHERE instance_name = $1", name),
            Is.EqualTo(_app.Evolution.BaseAddress.ToString().TrimEnd('/')));
        Assert.That(await TrustedAsync(name), Is.True, "still the platform admin's URL");
    }

    [Test]
    public async Task Patch_WithATenantKey_AnotherFieldOnly_KeepsTheAdminsTrust()
    {
        var name = NewName();
        await ApiAssert.StatusAsync(await CreateInstanceAsync(_app.Admin, name, _app.Evolution.BaseAddress.ToString()), 201);
        await ApiAssert.StatusAsync(await _tenantAdmin.PatchJsonAsync($"/api/instances/{name}", """{"evo_api_key": "0E1F2A3B4C5D6E7F8091A2B3C4D5E6F7"}"""), 200);
        Assert.That(await TrustedAsync(name), Is.True);
    }

    [Test]
    public async Task PatchTenant_WithATenantKey_WorkflowUrlToPrivateAddresses_IsRefused()
    {
        foreach (var url in new[] { "http://10.0.0.8:5678/webhook/x", "http://[::1]:5678/webhook/x", $"http://localhost:{_workflow.BaseAddress.Port}/webhook/x" })
        {
            var body = JsonSerializer.Serialize(new { workflow_url = url });
            await AssertRefusedAsync(await _tenantAdmin.PatchJsonAsync($"/api/tenants/{_tenantId}", body), "workflow_url");
        }
        Assert.That(await _app.ScalarAsync<string>("SELECT workflow_url FROM tenants WHERE id = $1", _tenantId), Is.Null);
    }

    [Test]
    public async Task Save_WithTheAdminKey_PrivateAddressesAreTrusted_AndUsed()
    {
        var name = NewName();
        await ApiAssert.StatusAsync(await CreateInstanceAsync(_app.Admin, name, _app.Evolution.BaseAddress.ToString()), 201);
        Assert.That(await TrustedAsync(name), Is.True);

        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(name, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply went to the admin's private address");

        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var patched = await ApiAssert.StatusAsync(await _app.Admin.PatchJsonAsync($"/api/tenants/{tenantId}",
            JsonSerializer.Serialize(new { workflow_url = _workflow.NewHook(WorkflowSecret) })), 200);
        Assert.That(patched.GetProperty("workflow_url").GetString(), Does.StartWith(_workflow.BaseAddress.ToString()));
        Assert.That(await _app.ScalarAsync<bool>("SELECT workflow_url_trusted FROM tenants WHERE id = $1", tenantId), Is.True);
    }

    // ---- at connect time (DNS rebinding: the name passed at save time and now resolves to loopback)

    /// <summary>An instance whose URL a tenant key saved (untrusted), pointing by name at the fake Evolution on loopback.</summary>
    private async Task<string> RebindingInstanceAsync()
    {
        var name = NewName();
        await ApiAssert.StatusAsync(await CreateInstanceAsync(_app.Admin, name, _app.Evolution.BaseAddress.ToString()), 201);
        await _app.ScalarAsync<int>("UPDATE instances SET evo_server_url = $2, evo_server_url_trusted = false WHERE instance_name = $1",
            name, $"http://localhost:{_app.Evolution.BaseAddress.Port}");
        return name;
    }

    [Test]
    public async Task Connect_ToAnUntrustedUrlNowOnLoopback_IsRefused_AndTheReplyJobGoesDead()
    {
        var instance = await RebindingInstanceAsync();
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed");

        var job = $"SELECT {{0}} FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1";
        Assert.That(await _app.ScalarAsync<string>(string.Format(job, "j.status"), chat), Is.EqualTo("dead"));
        Assert.That(await _app.ScalarAsync<int>(string.Format(job, "j.attempts"), chat), Is.EqualTo(1), "not retried");
        Assert.That(await _app.ScalarAsync<string>(string.Format(job, "j.last_error"), chat), Does.Contain(Blocked));
        var detail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'ai_failed'", chat);
        Assert.That(detail, Does.Contain(Blocked).And.Contain("loopback"));
        Assert.That(await _app.TimelineAsync(instance, chat), Does.Not.Contain("ai_retry"));
        Assert.That(_app.Evolution.Requests.Where(r => r.Path.EndsWith("/" + instance, StringComparison.Ordinal)), Is.Empty, "nothing reached Evolution");
    }

    [Test]
    public async Task TestWebhook_ToAnUntrustedUrlNowOnLoopback_ReportsTheRefusal()
    {
        var instance = await RebindingInstanceAsync();
        var report = await ApiAssert.StatusAsync(await _tenantAdmin.PostAsync($"/api/instances/{instance}/test-webhook", null), 200);
        Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False);
        Assert.That(report.GetProperty("http_status").ValueKind, Is.EqualTo(JsonValueKind.Null));
        Assert.That(report.GetProperty("error").GetString(), Does.Contain(Blocked));
        Assert.That(_app.Evolution.CallsTo("/instance/"), Is.Empty, "nothing reached Evolution");
    }

    [Test]
    public async Task Connect_ToAnUntrustedWorkflowUrlNowOnLoopback_IsRefused_AndTheDispatchGoesDead()
    {
        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new
        {
            reply_mode = "workflow", workflow_url = _workflow.NewHook(WorkflowSecret), workflow_secret = WorkflowSecret,
        });
        await _app.ScalarAsync<int>("UPDATE tenants SET workflow_url = replace(workflow_url, '127.0.0.1', 'localhost'), workflow_url_trusted = false WHERE id = $1", tenantId);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("workflow_failed"), "workflow_failed");

        Assert.That((await _app.TimelineAsync(instance, chat)), Does.Not.Contain("workflow_retry"));
        var detail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'workflow_failed'", chat);
        Assert.That(detail, Does.Contain(Blocked));
        Assert.That(_workflow.CallsFor(chat), Is.Empty, "nothing reached the workflow");
    }
}

/// <summary>OUTBOUND_ALLOW_PRIVATE_NETWORKS=true: self-hosted set-ups where tenants' Evolution sits on a private network.</summary>
public sealed class OutboundAllowPrivateNetworksTests
{
    private HybridFlowApp _app = null!;

    [OneTimeSetUp]
    public async Task StartApp() => _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { ["OUTBOUND_ALLOW_PRIVATE_NETWORKS"] = "true" });

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [Test]
    public async Task TenantKey_MayPointAtLoopback_AndTheReplyGoesOut()
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync();
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        var name = "ssrf-" + Guid.NewGuid().ToString("N")[..10];
        await ApiAssert.StatusAsync(await tenantAdmin.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["instance_name"] = name, ["evo_server_url"] = $"http://localhost:{_app.Evolution.BaseAddress.Port}",
            ["evo_api_key"] = HybridFlowApp.EvolutionApiKey, ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        }), 201);
        Assert.That(await _app.ScalarAsync<bool>("SELECT evo_server_url_trusted FROM instances WHERE instance_name = $1", name), Is.False,
            "still recorded as a tenant's URL, so turning the flag off brings the rule back");

        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(name, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(() => _app.Evolution.SendsTo(chat).Count == 1, "the reply went to the private address");
    }
}
