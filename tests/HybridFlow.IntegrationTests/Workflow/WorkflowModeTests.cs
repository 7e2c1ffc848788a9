using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.Workflow;

/// <summary>
/// reply_mode workflow (the n8n path): the customer's message is POSTed, signed, from the outbox to the tenant's
/// workflow, which answers later through send-message as bot.
/// </summary>
public sealed class WorkflowModeTests
{
    private const string PublicBaseUrl = "https://hybridflow.example.com";
    private const string Secret = "tenant-workflow-secret-0123456789";
    private HybridFlowApp _app = null!;
    private FakeWorkflowServer _workflow = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _workflow = await FakeWorkflowServer.StartAsync();
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["PUBLIC_BASE_URL"] = PublicBaseUrl + "/",
            ["WORKFLOW_TIMEOUT"] = "1",
        });
    }

    [OneTimeTearDown]
    public async Task StopApp()
    {
        await _app.DisposeAsync();
        await _workflow.DisposeAsync();
    }

    [SetUp]
    public void ResetFakes()
    {
        _app.Evolution.Reset();
        _app.Llm.Reset();
    }

    private async Task<(long TenantId, string Instance)> CreateWorkflowTenantAsync(int debounceSeconds = 0) =>
        await _app.CreateTenantWithInstanceAsync(new
        {
            reply_mode = "workflow", workflow_url = _workflow.NewHook(Secret), workflow_secret = Secret, debounce_seconds = debounceSeconds,
        });

    /// <summary>A marker chat's message, queued after what the test checks, has been POSTed to the workflow.</summary>
    private async Task WorkflowMarkerAsync(string instance)
    {
        var marker = Payloads.NewChatId();
        await Marker.AfterAsync(
            async () => Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(marker, "marcador", at: _app.Clock.GetUtcNow())), Is.EqualTo("workflow_queued")),
            () => Task.FromResult(_workflow.CallsFor(marker).Count >= 1), "the marker POSTed to the workflow", TimeSpan.FromSeconds(30));
    }

    private Task WaitForTimelineAsync(string instance, string chat, string action, TimeSpan? timeout = null) =>
        HybridFlowApp.EventuallyAsync(async () => (await _app.TimelineAsync(instance, chat)).Contains(action), action, timeout);

    [Test]
    public async Task CustomerMessage_IsPostedSigned_WithHistory_AndTheWorkflowAnswersAsBot()
    {
        var (tenantId, instance) = await CreateWorkflowTenantAsync();
        var workflowKey = await _app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var chat = Payloads.NewChatId();
        var firstMessageId = Payloads.NewMessageId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, vocês entregam hoje?", firstMessageId)), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(() => _workflow.CallsFor(chat).Count == 1, "the event POSTed to the workflow");
        var first = _workflow.CallsFor(chat).Single();
        Assert.That(first.SignatureProblem, Is.Null, "signed with the tenant's workflow_secret over timestamp.body");
        Assert.That(first.AnsweredStatus, Is.EqualTo(200));
        Assert.That(first.Header("content-type"), Does.StartWith("application/json"));
        Assert.That(first.Header("authorization"), Is.Null, "the Bearer token is only for the global N8N_WEBHOOK_URL");

        var session = await _app.GetSessionAsync(instance, chat);
        var body = first.Json;
        Assert.That(body.GetProperty("event_id").GetString(), Is.EqualTo(first.Header("x-hybridflow-delivery")));
        Assert.That(body.GetProperty("tenant_id").GetInt64(), Is.EqualTo(tenantId));
        Assert.That(body.GetProperty("instance_name").GetString(), Is.EqualTo(instance));
        Assert.That(body.GetProperty("chat_id").GetString(), Is.EqualTo(chat));
        Assert.That(body.GetProperty("session_id").GetInt64(), Is.EqualTo(session.GetProperty("id").GetInt64()));
        Assert.That(body.GetProperty("reply_url").GetString(), Is.EqualTo(PublicBaseUrl + "/api/evolution/send-message"));
        var message = body.GetProperty("messages").EnumerateArray().Single();
        Assert.That(message.GetProperty("provider_message_id").GetString(), Is.EqualTo(firstMessageId));
        Assert.That(message.GetProperty("text").GetString(), Is.EqualTo("Oi, vocês entregam hoje?"));
        Assert.That(message.GetProperty("message_type").GetString(), Is.EqualTo("conversation"));
        Assert.That(message.GetProperty("sent_at").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
        Assert.That(body.GetProperty("history").GetArrayLength(), Is.EqualTo(0), "nothing came before the first message");

        // The workflow answers the way n8n would: send-message as bot, with a key of the tenant.
        var reply = await _app.SendMessageAsync(workflowKey, new { instance_name = instance, chat_id = chat, text = "Entregamos sim, até as 18h.", @as = "bot" });
        var keyId = reply.GetProperty("provider_message_id").GetString()!;
        Assert.That(reply.GetProperty("session").GetProperty("is_paused").GetBoolean(), Is.False);
        var sent = _app.Evolution.SendsTo(chat).Single();
        Assert.That(sent.Json.GetProperty("text").GetString(), Is.EqualTo("Entregamos sim, até as 18h."));

        Assert.That(await _app.DeliverAsync(instance, Payloads.SendMessageEcho(chat, "Entregamos sim, até as 18h.", keyId)), Is.EqualTo("ignored_echo"),
            "the bot's own echo is not a human takeover");
        Assert.That((await _app.GetSessionAsync(instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "E aceitam Pix?")), Is.EqualTo("workflow_queued"));
        await HybridFlowApp.EventuallyAsync(() => _workflow.CallsFor(chat).Count == 2, "the second event POSTed");
        var second = _workflow.CallsFor(chat)[1];
        Assert.That(second.SignatureValid, Is.True, second.SignatureProblem);
        Assert.That(second.Header("x-hybridflow-delivery"), Is.Not.EqualTo(first.Header("x-hybridflow-delivery")), "one delivery id per job");
        Assert.That(second.Json.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("text").GetString()), Is.EqualTo(new[] { "E aceitam Pix?" }));
        var history = second.Json.GetProperty("history").EnumerateArray()
            .Select(h => (h.GetProperty("direction").GetString(), h.GetProperty("text").GetString())).ToList();
        Assert.That(history, Is.EqualTo(new List<(string?, string?)>
        {
            ("inbound", "Oi, vocês entregam hoje?"),
            ("bot", "Entregamos sim, até as 18h."),
        }));

        await WaitForTimelineAsync(instance, chat, "workflow_delivered");
        var timeline = await _app.TimelineAsync(instance, chat);
        Assert.That(timeline, Does.Contain("workflow_delivered").And.Contain("bot_sent"));
        Assert.That(timeline.Count(a => a == "workflow_queued"), Is.EqualTo(2));
        Assert.That(timeline, Does.Not.Contain("paused"));
        Assert.That(_app.Llm.Requests, Is.Empty, "a workflow tenant never calls the built-in model");
    }

    [Test]
    public async Task WorkflowFailingTwice_ThenAccepting_IsDeliveredOnce_WithTheSameDeliveryId()
    {
        var (_, instance) = await CreateWorkflowTenantAsync();
        var chat = Payloads.NewChatId();
        _workflow.AnswerNext(new WorkflowAnswer(500), new WorkflowAnswer(503));

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("workflow_queued"));
        await WaitForTimelineAsync(instance, chat, "workflow_delivered");
        await WorkflowMarkerAsync(instance);

        var calls = _workflow.CallsFor(chat);
        Assert.That(calls.Select(c => c.AnsweredStatus), Is.EqualTo(new[] { 500, 503, 200 }));
        Assert.That(calls.Select(c => c.SignatureValid), Is.All.True);
        Assert.That(calls.Select(c => c.Header("x-hybridflow-delivery")).Distinct().Count(), Is.EqualTo(1), "retries keep the delivery id");
        Assert.That(calls.Select(c => c.Json.GetProperty("event_id").GetString()).Distinct().Count(), Is.EqualTo(1));

        var timeline = await _app.TimelineAsync(instance, chat);
        Assert.That(timeline.Count(a => a == "workflow_retry"), Is.EqualTo(2));
        Assert.That(timeline.Count(a => a == "workflow_delivered"), Is.EqualTo(1));
        Assert.That(await _app.ScalarAsync<string>("SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("sent"));
        Assert.That(_app.Evolution.Requests, Is.Empty, "HybridFlow itself sends nothing in workflow mode");
    }

    [Test]
    public async Task WorkflowHanging_TimesOut_AndIsRetried()
    {
        var (_, instance) = await CreateWorkflowTenantAsync();
        var chat = Payloads.NewChatId();
        _workflow.AnswerNext(new WorkflowAnswer(200, TimeSpan.FromSeconds(5)));

        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForTimelineAsync(instance, chat, "workflow_delivered");
        Assert.That(_workflow.CallsFor(chat), Has.Count.EqualTo(2));
        var retryDetail = await _app.ScalarAsync<string>(
            "SELECT e.detail FROM session_events e JOIN sessions s ON s.id = e.session_id WHERE s.chat_id = $1 AND e.action = 'workflow_retry'", chat);
        Assert.That(retryDetail, Does.Contain("did not answer within 1 s"));
    }

    [Test]
    public async Task WorkflowNeverAccepting_MakesTheJobDead_WithTheErrorKept()
    {
        var (_, instance) = await CreateWorkflowTenantAsync();
        var chat = Payloads.NewChatId();
        _workflow.AnswerNext(Enumerable.Repeat(new WorkflowAnswer(500), 5).ToArray());

        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await WaitForTimelineAsync(instance, chat, "workflow_failed", TimeSpan.FromSeconds(30));
        await WorkflowMarkerAsync(instance);

        Assert.That(_workflow.CallsFor(chat), Has.Count.EqualTo(5), "REPLY_MAX_ATTEMPTS attempts, then no more");
        Assert.That(await _app.ScalarAsync<string>(
                "SELECT j.status || ' ' || j.attempts || ' ' || j.last_error FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("dead 5 workflow: the workflow answered HTTP 500"));
        Assert.That((await _app.TimelineAsync(instance, chat)).Count(a => a == "workflow_retry"), Is.EqualTo(4));
    }

    [Test]
    public async Task OwnerMessage_BeforeDispatch_MeansTheEventIsNeverSent()
    {
        var (_, instance) = await CreateWorkflowTenantAsync(debounceSeconds: 2);
        var chat = Payloads.NewChatId();

        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi, tem bolo hoje?")), Is.EqualTo("workflow_queued"));
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chat, "Tem sim, Ana!")), Is.EqualTo("paused"));
        await WorkflowMarkerAsync(instance); // the same 2 s debounce: due after the cancelled job would have been

        Assert.That(_workflow.CallsFor(chat), Is.Empty);
        Assert.That(await _app.ScalarAsync<string>("SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("cancelled"));
        Assert.That(await _app.TimelineAsync(instance, chat), Does.Contain("workflow_cancelled"));
    }

    [Test]
    public async Task PersonTakingOver_AfterTheJobWasQueued_IsCaughtByTheReCheckUnderLock()
    {
        var (_, instance) = await CreateWorkflowTenantAsync(debounceSeconds: 600);
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi")), Is.EqualTo("workflow_queued"));

        // The race the re-check exists for: the chat became paused while its job stayed due (as when the owner
        // speaks just after a worker claimed it). Set up directly, then let the job fall due.
        await _app.ScalarAsync<int>("""
            UPDATE sessions SET is_paused = true, pause_reason = 'human_takeover', last_human_at = now(), paused_until = now() + interval '2 hours'
            WHERE chat_id = $1 RETURNING 1
            """, chat);
        await _app.ScalarAsync<int>("UPDATE reply_jobs SET due_at = now() WHERE session_id = (SELECT id FROM sessions WHERE chat_id = $1) RETURNING 1", chat);

        await WaitForTimelineAsync(instance, chat, "workflow_discarded_collision");
        await WorkflowMarkerAsync((await CreateWorkflowTenantAsync()).Instance); // this tenant's debounce is 600 s
        Assert.That(_workflow.CallsFor(chat), Is.Empty, "nothing is POSTed once a person has the chat");
        Assert.That(await _app.ScalarAsync<string>("SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat),
            Is.EqualTo("discarded"));
    }

    [Test]
    public async Task WorkflowAnswer_AfterAPersonTookOver_IsRefused()
    {
        var (tenantId, instance) = await CreateWorkflowTenantAsync();
        var workflowKey = await _app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var chat = Payloads.NewChatId();
        await _app.DeliverAsync(instance, Payloads.CustomerText(chat, "Oi"));
        await HybridFlowApp.EventuallyAsync(() => _workflow.CallsFor(chat).Count == 1, "the event POSTed");
        Assert.That(await _app.DeliverAsync(instance, Payloads.OwnerText(chat, "Deixa comigo.")), Is.EqualTo("paused"));

        var late = await _app.PostWithKeyAsync(ApiCalls.SendMessagePath, new { instance_name = instance, chat_id = chat, text = "Resposta do fluxo", @as = "bot" }, workflowKey);
        var problem = await late.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)late.StatusCode, Is.EqualTo(409), problem.ToString());
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("paused"));
        Assert.That(_app.Evolution.Requests, Is.Empty, "the bot never speaks over a person");
        Assert.That(await _app.TimelineAsync(instance, chat), Does.Contain("bot_send_refused"));
    }

    [Test]
    public async Task CreateTenant_InWorkflowMode_ShowsTheUrl_AndTheSecretMasked()
    {
        var hook = _workflow.NewHook(Secret);
        var response = await _app.Admin.PostAsJsonAsync("/api/tenants", new { name = "Fluxo n8n", reply_mode = "workflow", workflow_url = hook, workflow_secret = Secret });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), text);
        Assert.That(text, Does.Not.Contain(Secret));
        var tenant = JsonDocument.Parse(text).RootElement;
        Assert.That(tenant.GetProperty("reply_mode").GetString(), Is.EqualTo("workflow"));
        Assert.That(tenant.GetProperty("workflow_url").GetString(), Is.EqualTo(hook));
        Assert.That(tenant.GetProperty("workflow_secret").GetString(), Is.EqualTo("****" + Secret[^4..]));

        var read = await _app.Admin.GetStringAsync($"/api/tenants/{tenant.GetProperty("id").GetInt64()}");
        Assert.That(read, Does.Not.Contain(Secret));
        Assert.That(JsonDocument.Parse(read).RootElement.GetProperty("workflow_url").GetString(), Is.EqualTo(hook));
        Assert.That(await _app.Admin.GetStringAsync("/api/tenants?page_size=200"), Does.Not.Contain(Secret));
    }

    [TestCase("""{"name": "W", "reply_mode": "workflow", "workflow_secret": "0123456789abcdef0123"}""", "workflow_url")]
    [TestCase("""{"name": "W", "reply_mode": "workflow", "workflow_url": "https://n8n.example.com/webhook/x"}""", "workflow_secret")]
    [TestCase("""{"name": "W", "reply_mode": "workflow", "workflow_url": "ftp://n8n.example.com/x", "workflow_secret": "0123456789abcdef0123"}""", "workflow_url")]
    [TestCase("""{"name": "W", "workflow_url": "not a url"}""", "workflow_url")]
    [TestCase("""{"name": "W", "workflow_secret": "short"}""", "workflow_secret")]
    [TestCase("""{"name": "W", "reply_mode": "n8n"}""", "reply_mode")]
    public async Task CreateTenant_WithBadWorkflowSettings_Is400_NamingTheField(string body, string field)
    {
        var before = await _app.ScalarAsync<long>("SELECT count(*) FROM tenants");
        var response = await _app.Admin.PostAsync("/api/tenants", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), problem.ToString());
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM tenants"), Is.EqualTo(before));
    }
}
