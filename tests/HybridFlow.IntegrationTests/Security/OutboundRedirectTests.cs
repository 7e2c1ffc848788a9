using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.Infrastructure.Security;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Security;

/// <summary>
/// Issue 17 F1 and F16: a tenant's server that redirects to an internal one gets nothing out of it, even right after a
/// trusted call left a connection to that internal server open, and a tenant's server cannot make HybridFlow read an
/// unbounded answer. 127.0.0.2 plays a public server (OUTBOUND_ALLOW_ADDRESSES); 127.0.0.1 is the internal network.
/// </summary>
public sealed class OutboundRedirectTests
{
    private const string Secret = "workflow-signing-secret-0123456789";
    private const string InternalState = "internal-secret-state";
    private HybridFlowApp _app = null!;
    private ScriptedHttpServer _internal = null!;
    private ScriptedHttpServer _public = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _internal = await ScriptedHttpServer.StartAsync("127.0.0.1");
        _public = await ScriptedHttpServer.StartAsync("127.0.0.2");
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?> { [OutboundAllowList.Variable] = "127.0.0.2" });
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        await _app.DisposeAsync();
        await _internal.DisposeAsync();
        await _public.DisposeAsync();
    }

    [SetUp]
    public void ResetServers()
    {
        _app.Llm.Reset();
        _app.Llm.ReplyText = "Olá!";
        // The internal server answers anything as a healthy Evolution would, with something a tenant must never see.
        _internal.Answer = c => ScriptedHttpServer.Json(c, 200, $$$"""{"instance":{"instanceName":"internal","state":"{{{InternalState}}}"}}""");
        _public.Answer = c => ScriptedHttpServer.Redirect(c, InternalUrl);
    }

    private string InternalUrl => $"http://127.0.0.1:{_internal.BaseAddress.Port}/internal";
    private string RedirectRefusal => $"redirect to {InternalUrl} refused";

    private static string NewName() => "redir-" + string.Concat(Guid.NewGuid().ToString("N")[..10].Select(c => (char)('a' + Convert.ToInt32(c.ToString(), 16))));

    private async Task<(long TenantId, HttpClient TenantAdmin)> TenantAsync(object? fields = null)
    {
        var (tenantId, _) = await _app.CreateTenantWithInstanceAsync(fields);
        return (tenantId, _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin")));
    }

    private static async Task<string> CreateInstanceAsync(HttpClient client, long tenantId, Uri server)
    {
        var name = NewName();
        await ApiAssert.StatusAsync(await client.PostAsJsonAsync("/api/instances", new Dictionary<string, object?>
        {
            ["tenant_id"] = tenantId, ["instance_name"] = name, ["evo_server_url"] = server.ToString(),
            ["evo_api_key"] = HybridFlowApp.EvolutionApiKey, ["webhook_secret"] = HybridFlowApp.WebhookSecret,
        }), 201);
        return name;
    }

    private static async Task<JsonElement> TestWebhookAsync(HttpClient client, string instance) =>
        await ApiAssert.StatusAsync(await client.PostAsync($"/api/instances/{instance}/test-webhook", null), 200);

    private async Task<string?> DetailAsync(string chat, string action) =>
        await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = $2 ORDER BY e.id LIMIT 1",
            chat, action);

    // ---- F1: redirects, with the trusted pool warm

    [Test]
    public async Task TestWebhook_ATenantUrlRedirectingToAnInternalServerTheAdminJustCalled_IsNotReachable_AndShowsNothingOfIt()
    {
        var (tenantId, tenantAdmin) = await TenantAsync();
        var tenantInstance = await CreateInstanceAsync(tenantAdmin, tenantId, _public.BaseAddress);
        Assert.That(await _app.ScalarAsync<bool>("SELECT evo_server_url_trusted FROM instances WHERE instance_name = $1", tenantInstance), Is.False);

        // The admin's instance on the internal server: its test-webhook leaves a kept-alive connection there.
        var adminInstance = await CreateInstanceAsync(_app.Admin, tenantId, new Uri($"http://127.0.0.1:{_internal.BaseAddress.Port}"));
        var warm = await TestWebhookAsync(_app.Admin, adminInstance);
        Assert.That(warm.GetProperty("state").GetString(), Is.EqualTo(InternalState), "the trusted call reached the internal server");
        var internalCalls = _internal.Requests.Count;

        var response = await tenantAdmin.PostAsync($"/api/instances/{tenantInstance}/test-webhook", null);
        var text = await response.Content.ReadAsStringAsync();
        var report = await ApiAssert.StatusAsync(response, 200);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False, text);
            Assert.That(report.GetProperty("error").GetString(), Does.Contain(RedirectRefusal));
            Assert.That(text, Does.Not.Contain(InternalState));
            Assert.That(_public.Requests, Has.Count.GreaterThanOrEqualTo(1), "the tenant's server was asked");
            Assert.That(_internal.Requests, Has.Count.EqualTo(internalCalls), "nothing of the tenant's reached the internal server");
        }
    }

    [Test]
    public async Task SendText_ToATenantUrlThatRedirects_FailsTheReplyForGood_AndNothingReachesTheInternalServer()
    {
        var (tenantId, tenantAdmin) = await TenantAsync();
        var instance = await CreateInstanceAsync(tenantAdmin, tenantId, _public.BaseAddress);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed");

        var job = "SELECT {0} FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _app.ScalarAsync<string>(string.Format(job, "j.status"), chat), Is.EqualTo("dead"));
            Assert.That(await _app.ScalarAsync<string>(string.Format(job, "j.last_error"), chat), Does.Contain(RedirectRefusal));
            Assert.That(await DetailAsync(chat, "ai_failed"), Does.Contain(RedirectRefusal));
            Assert.That(_public.Requests.Any(r => r.Target.StartsWith("/message/sendText/" + instance, StringComparison.Ordinal)), Is.True, "the send went to the tenant's server");
            Assert.That(_internal.Requests.Where(r => r.Body.Contains(chat[..chat.IndexOf('@')], StringComparison.Ordinal)), Is.Empty, "the send was not replayed inside");
        }
    }

    [Test]
    public async Task WorkflowUrl_RedirectingToAnInternalServerTheAdminsWorkflowUses_FailsWithTheRedirect_AndNothingReachesIt()
    {
        // A trusted workflow on the internal server warms the workflow client's pool.
        var (_, adminInstance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "workflow", workflow_url = InternalUrl, workflow_secret = Secret });
        var warmChat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(adminInstance, Payloads.CustomerText(warmChat, "Oi")), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(() => _internal.Requests.Any(r => r.Body.Contains(warmChat, StringComparison.Ordinal)), "the trusted workflow POST");

        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { reply_mode = "workflow", workflow_url = InternalUrl, workflow_secret = Secret });
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        await ApiAssert.StatusAsync(await tenantAdmin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new { workflow_url = new Uri(_public.BaseAddress, "hook").ToString() }), 200);
        Assert.That(await _app.ScalarAsync<bool>("SELECT workflow_url_trusted FROM tenants WHERE id = $1", tenantId), Is.False);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("workflow_failed"), "workflow_failed");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await DetailAsync(chat, "workflow_failed"), Does.Contain(RedirectRefusal));
            Assert.That(await _app.TimelineAsync(instance, chat), Does.Not.Contain("workflow_retry"), "a redirect is not retried");
            Assert.That(_public.Requests.Count(r => r.Body.Contains(chat, StringComparison.Ordinal)), Is.EqualTo(1));
            Assert.That(_internal.Requests.Where(r => r.Body.Contains(chat, StringComparison.Ordinal)), Is.Empty, "the POST was not replayed inside");
        }
    }

    [Test]
    public async Task NotifyUrl_RedirectingToAnInternalServer_IsGivenUp_AndNothingReachesIt()
    {
        var (warmTenant, warmInstance) = await _app.CreateTenantWithInstanceAsync(new { notify_url = InternalUrl, workflow_secret = Secret });
        var warmChat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(warmInstance, Payloads.CustomerText(warmChat, "atendente")), Is.EqualTo("handoff_requested"));
        await HybridFlowApp.EventuallyAsync(() => _internal.Requests.Any(r => r.Body.Contains(warmChat, StringComparison.Ordinal)), "the trusted notify POST");

        var (tenantId, instance) = await _app.CreateTenantWithInstanceAsync(new { workflow_secret = Secret });
        var tenantAdmin = _app.ClientWithKey(await _app.CreateApiKeyAsync(tenantId, "tenant_admin"));
        await ApiAssert.StatusAsync(await tenantAdmin.PatchAsJsonAsync($"/api/tenants/{tenantId}", new { notify_url = new Uri(_public.BaseAddress, "notify").ToString() }), 200);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "atendente")), Is.EqualTo("handoff_requested"));
        const string status = "SELECT d.status FROM notify_deliveries d WHERE d.tenant_id = $1";
        await HybridFlowApp.EventuallyAsync(async () => await _app.ScalarAsync<string>(status, tenantId) == "dead", "the redirected notify given up", TimeSpan.FromSeconds(30));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await _app.ScalarAsync<string>("SELECT last_error FROM notify_deliveries WHERE tenant_id = $1", tenantId), Does.Contain(RedirectRefusal));
            Assert.That(await DetailAsync(chat, "notify_failed"), Does.Contain(RedirectRefusal));
            Assert.That(_internal.Requests.Where(r => r.Body.Contains(chat, StringComparison.Ordinal)), Is.Empty, "the POST was not replayed inside");
            Assert.That(await _app.ScalarAsync<string>(status, warmTenant), Is.EqualTo("delivered"));
        }
    }

    [Test]
    public async Task LlmBaseUrl_SetByATenantKey_ThatRedirects_FailsTheReplyWithTheRedirect()
    {
        var (tenantId, tenantAdmin) = await TenantAsync();
        var instance = await CreateInstanceAsync(_app.Admin, tenantId, _app.Evolution.BaseAddress);
        await ApiAssert.StatusAsync(await tenantAdmin.PatchAsJsonAsync($"/api/tenants/{tenantId}",
            new { llm_api_key = "sk-tenant-own-key-0123456789", llm_base_url = new Uri(_public.BaseAddress, "v1").ToString() }), 200);
        Assert.That(await _app.ScalarAsync<bool>("SELECT llm_base_url_trusted FROM tenants WHERE id = $1", tenantId), Is.False);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed");

        Assert.That(await DetailAsync(chat, "ai_failed"), Does.Contain(RedirectRefusal));
        Assert.That(_internal.Requests.Where(r => r.Target.Contains("chat/completions", StringComparison.Ordinal)), Is.Empty);
        Assert.That(_app.Evolution.SendsTo(chat), Is.Empty);
    }

    // ---- F16: answers are read up to a cap

    [TestCase(true, TestName = "TestWebhook_AnEvolutionAnswerOverOneMiB_WithContentLength_IsAClearFailure")]
    [TestCase(false, TestName = "TestWebhook_AnEvolutionAnswerOverOneMiB_Chunked_IsAClearFailure")]
    public async Task TestWebhook_AnEvolutionAnswerOverOneMiB_IsAClearFailure(bool withLength)
    {
        var padding = new string('x', (int)OutboundHttp.EvolutionAnswerLimit);
        _public.Answer = c => ScriptedHttpServer.Json(c, 200, $$"""{"instance":{"state":"open"},"padding":"{{padding}}"}""", withLength);
        var (tenantId, tenantAdmin) = await TenantAsync();
        var instance = await CreateInstanceAsync(tenantAdmin, tenantId, _public.BaseAddress);

        var report = await TestWebhookAsync(tenantAdmin, instance);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report.GetProperty("reachable").GetBoolean(), Is.False, report.ToString());
            Assert.That(report.GetProperty("error").GetString(), Does.Contain($"larger than {OutboundHttp.EvolutionAnswerLimit} bytes"));
        }
    }

    [Test]
    public async Task TestWebhook_AnEvolutionAnswerUnderTheCap_IsRead()
    {
        _public.Answer = c => ScriptedHttpServer.Json(c, 200, """{"instance":{"state":"open"}}""", withLength: false);
        var (tenantId, tenantAdmin) = await TenantAsync();
        var report = await TestWebhookAsync(tenantAdmin, await CreateInstanceAsync(tenantAdmin, tenantId, _public.BaseAddress));
        Assert.That(report.GetProperty("state").GetString(), Is.EqualTo("open"), report.ToString());
    }

    private async Task<InstanceContext> InstanceContextAsync(string instance)
    {
        using var scope = _app.Services.CreateScope();
        return (await scope.ServiceProvider.GetRequiredService<IInstanceDirectory>().FindByNameAsync(instance, fresh: true, CancellationToken.None))!;
    }

    private static string MediaAnswer(byte[] file, int padding) =>
        $$"""{"mediaType":"imageMessage","mimetype":"image/jpeg","base64":"{{Convert.ToBase64String(file)}}","padding":"{{new string('x', padding)}}"}""";

    [Test]
    public async Task Media_AnAnswerOverMediaMaxBytesTimesFourThirdsPlus64KiB_IsRefused_WhileOneUnderItIsRead()
    {
        const long maxBytes = 3 * 1024 * 1024;
        var cap = EvolutionMediaClient.AnswerLimit(maxBytes);
        Assert.That(cap, Is.EqualTo(maxBytes * 4 / 3 + 4 + 64 * 1024));
        var (tenantId, tenantAdmin) = await TenantAsync();
        var instance = await InstanceContextAsync(await CreateInstanceAsync(tenantAdmin, tenantId, _public.BaseAddress));
        var media = _app.Services.GetRequiredService<IWhatsAppMediaGateway>();
        var photo = new byte[2 * 1024 * 1024];
        Random.Shared.NextBytes(photo);

        // Over Evolution's 1 MiB JSON cap, within the media's own: read.
        _public.Answer = c => ScriptedHttpServer.Json(c, 201, MediaAnswer(photo, 1000), withLength: false);
        var content = await media.DownloadMediaAsync(instance, new MediaReference("MEDIA1"), maxBytes, null, CancellationToken.None);
        Assert.That(content.Data, Is.EqualTo(photo));

        // A small file in an answer padded past the media cap: refused while reading, for good.
        _public.Answer = c => ScriptedHttpServer.Json(c, 201, MediaAnswer([1, 2, 3], (int)cap), withLength: false);
        var refused = await Assert.ThrowsAsync<MediaDownloadException>(() => media.DownloadMediaAsync(instance, new MediaReference("MEDIA2"), maxBytes, null, CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain($"larger than {cap} bytes"));
        Assert.That(refused.Failure, Is.EqualTo(MediaDownloadFailure.Permanent));
    }

    [Test]
    public async Task Llm_AnAnswerOverFourMiB_FailsTheReply_AndNothingIsSent()
    {
        var answer = JsonNode.Parse(FakeLlmServer.OpenAiCompletionJson("gpt-test", "Olá!"))!.AsObject();
        answer["padding"] = new string('x', (int)OutboundHttp.LlmAnswerLimit);
        _app.Llm.Responder = _ => new FakeResponse(200, answer.ToJsonString());
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("ai_queued"));
        await HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains("ai_failed"), "ai_failed");

        Assert.That(await DetailAsync(chat, "ai_failed"), Does.Contain($"larger than {OutboundHttp.LlmAnswerLimit} bytes"));
        Assert.That(_app.Evolution.SendsTo(chat), Is.Empty);
    }
}
