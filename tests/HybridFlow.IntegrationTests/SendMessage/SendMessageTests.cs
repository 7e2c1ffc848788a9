using System.Net.Http.Json;
using System.Text.Json;
using HybridFlow.IntegrationTests.Support;

namespace HybridFlow.IntegrationTests.SendMessage;

/// <summary>POST /api/evolution/send-message: as bot (never pauses, its echo is ours) and as agent (a human takeover).</summary>
public sealed class SendMessageTests
{
    private HybridFlowApp _app = null!;
    private long _tenantId;
    private string _instance = "";
    private string _adminKey = "";
    private string _agentKey = "";
    private string _otherTenantKey = "";

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync();
        // A long debounce keeps the model's replies queued, so a takeover has something to cancel.
        (_tenantId, _instance) = await _app.CreateTenantWithInstanceAsync(new { debounce_seconds = 600 });
        _adminKey = await _app.CreateApiKeyAsync(_tenantId, "tenant_admin");
        _agentKey = await _app.CreateApiKeyAsync(_tenantId, "agent");
        var (otherTenant, _) = await _app.CreateTenantWithInstanceAsync(new { name = "Outra Loja" });
        _otherTenantKey = await _app.CreateApiKeyAsync(otherTenant, "tenant_admin");
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFakes() => _app.Evolution.Reset();

    private Task<HttpResponseMessage> SendAsync(object body, string? key) => _app.PostWithKeyAsync(ApiCalls.SendMessagePath, body, key);

    private Task<long> CountMessagesAsync(string chat, string direction) =>
        _app.ScalarAsync<long>("SELECT count(*) FROM messages m JOIN sessions s ON s.id = m.session_id WHERE s.chat_id = $1 AND m.direction = $2", chat, direction);

    [Test]
    public async Task AsAgent_IsAHumanTakeover_ThatPausesAndCancelsQueuedReplies()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oi, meu pedido atrasou")), Is.EqualTo("ai_queued"));

        var sent = await _app.SendMessageAsync(_agentKey, new { instance_name = _instance, chat_id = chat, text = "Oi! Aqui é a Carla, vou verificar.", @as = "agent" });
        Assert.That(sent.GetProperty("chat_id").GetString(), Is.EqualTo(chat));
        Assert.That(sent.GetProperty("as").GetString(), Is.EqualTo("agent"));
        var keyId = sent.GetProperty("provider_message_id").GetString()!;
        Assert.That(keyId, Does.StartWith("3EB0"), "Evolution's key.id");
        var session = sent.GetProperty("session");
        Assert.That(session.GetProperty("is_paused").GetBoolean(), Is.True);
        Assert.That(session.GetProperty("pause_reason").GetString(), Is.EqualTo("human_takeover"));
        Assert.That(session.GetProperty("chat_id").GetString(), Is.EqualTo(chat));

        var request = _app.Evolution.SendsTo(chat).Single();
        Assert.That(request.Path, Is.EqualTo($"/message/sendText/{_instance}"));
        Assert.That(request.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
        Assert.That(request.Json.GetProperty("number").GetString(), Is.EqualTo(chat.Split('@')[0]));
        Assert.That(request.Json.GetProperty("text").GetString(), Is.EqualTo("Oi! Aqui é a Carla, vou verificar."));

        Assert.That(await _app.ScalarAsync<string>("SELECT direction FROM messages WHERE provider_message_id = $1", keyId), Is.EqualTo("human"));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT j.status FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1 AND j.kind = 'reply'", chat), Is.EqualTo("cancelled"));
        var timeline = await _app.TimelineAsync(_instance, chat);
        Assert.That(timeline, Does.Contain("ai_cancelled").And.Contain("paused"));

        Assert.That(await _app.DeliverAsync(_instance, Payloads.SendMessageEcho(chat, "Oi! Aqui é a Carla, vou verificar.", keyId)), Is.EqualTo("duplicate_ignored"));
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Obrigada, Carla")), Is.EqualTo("ignored_paused"));
        Assert.That(await CountMessagesAsync(chat, "human"), Is.EqualTo(1));
    }

    [Test]
    public async Task AsBot_ByNumber_DoesNotPause_AndItsEchoIsRecognised()
    {
        var number = Payloads.NewChatId().Split('@')[0];
        var chat = number + "@s.whatsapp.net";
        var sent = await _app.SendMessageAsync(_adminKey, new { instance_name = _instance, number, text = "  Seu pedido saiu para entrega!  ", @as = "bot" });
        Assert.That(sent.GetProperty("chat_id").GetString(), Is.EqualTo(chat), "a number becomes <digits>@s.whatsapp.net");
        Assert.That(sent.GetProperty("as").GetString(), Is.EqualTo("bot"));
        Assert.That(sent.GetProperty("session").GetProperty("is_paused").GetBoolean(), Is.False);
        var keyId = sent.GetProperty("provider_message_id").GetString()!;
        Assert.That(_app.Evolution.SendsTo(chat).Single().Json.GetProperty("text").GetString(), Is.EqualTo("Seu pedido saiu para entrega!"));
        Assert.That(await _app.ScalarAsync<string>("SELECT direction FROM messages WHERE provider_message_id = $1", keyId), Is.EqualTo("bot"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Is.EqualTo(new[] { "bot_sent" }));

        Assert.That(await _app.DeliverAsync(_instance, Payloads.SendMessageEcho(chat, "Seu pedido saiu para entrega!", keyId)), Is.EqualTo("ignored_echo"));
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await _app.DeliverAsync(_instance, Payloads.CustomerText(chat, "Oba, obrigado!")), Is.EqualTo("ai_queued"), "the bot still answers");
    }

    [Test]
    public async Task AsBot_EchoArrivingBeforeEvolutionAnswers_IsStillOurs()
    {
        var chat = Payloads.NewChatId();
        string? echoAction = null;
        _app.Evolution.BeforeAnswer = async (remoteJid, text, keyId) =>
        {
            var response = await _app.PostWebhookAsync(_instance, Payloads.SendMessageEcho(remoteJid, text, keyId));
            echoAction = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString();
        };

        var sent = await _app.SendMessageAsync(_adminKey, new { instance_name = _instance, chat_id = chat, text = "Promoção de hoje: pão de queijo!", @as = "bot" });
        Assert.That(echoAction, Is.EqualTo("ignored_echo"));
        Assert.That(sent.GetProperty("session").GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False);
        Assert.That(await CountMessagesAsync(chat, "bot"), Is.EqualTo(1), "the echo and the send's answer are one message");
        Assert.That(await CountMessagesAsync(chat, "human"), Is.EqualTo(0));
    }

    [Test]
    public async Task AsAgent_EchoArrivingBeforeEvolutionAnswers_IsOneTakeover()
    {
        var chat = Payloads.NewChatId();
        string? echoAction = null;
        _app.Evolution.BeforeAnswer = async (remoteJid, text, keyId) =>
        {
            var response = await _app.PostWebhookAsync(_instance, Payloads.SendMessageEcho(remoteJid, text, keyId));
            echoAction = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("action").GetString();
        };

        var sent = await _app.SendMessageAsync(_agentKey, new { instance_name = _instance, chat_id = chat, text = "Oi, é o João.", @as = "agent" });
        Assert.That(echoAction, Is.EqualTo("ignored_echo"), "recognised as the agent's send in flight");
        Assert.That(sent.GetProperty("session").GetProperty("is_paused").GetBoolean(), Is.True);
        Assert.That(await CountMessagesAsync(chat, "human"), Is.EqualTo(1));
        Assert.That((await _app.TimelineAsync(_instance, chat)).Count(a => a == "paused"), Is.EqualTo(1));
    }

    [Test]
    public async Task AsBot_InAPausedChat_Is409_AndNothingIsSent()
    {
        var chat = Payloads.NewChatId();
        Assert.That(await _app.DeliverAsync(_instance, Payloads.OwnerText(chat, "Deixa comigo.")), Is.EqualTo("paused"));
        var response = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Sou o robô", @as = "bot" }, _adminKey);
        Assert.That((int)response.StatusCode, Is.EqualTo(409));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(_app.Evolution.Requests, Is.Empty);

        var asAgent = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Sou a Carla", @as = "agent" }, _adminKey);
        Assert.That((int)asAgent.StatusCode, Is.EqualTo(201), "a person may always write");
    }

    [TestCase("""{"chat_id": "5511999990001@s.whatsapp.net", "text": "Oi", "as": "bot"}""", "instance_name")]
    [TestCase("""{"instance_name": "{instance}", "text": "Oi", "as": "bot"}""", "chat_id")]
    [TestCase("""{"instance_name": "{instance}", "chat_id": "5511999990001@s.whatsapp.net", "number": "5511999990001", "text": "Oi", "as": "bot"}""", "number")]
    [TestCase("""{"instance_name": "{instance}", "number": "+55 (11) 99999-0001", "text": "Oi", "as": "bot"}""", "number")]
    [TestCase("""{"instance_name": "{instance}", "chat_id": "5511999990001", "text": "Oi", "as": "bot"}""", "chat_id")]
    [TestCase("""{"instance_name": "{instance}", "chat_id": "120363025246125888@g.us", "text": "Oi", "as": "bot"}""", "chat_id")]
    [TestCase("""{"instance_name": "{instance}", "chat_id": "@s.whatsapp.net", "text": "Oi", "as": "bot"}""", "chat_id")]
    [TestCase("""{"instance_name": "{instance}", "chat_id": "5511 9999@s.whatsapp.net", "text": "Oi", "as": "bot"}""", "chat_id")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "as": "bot"}""", "text")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "text": "   ", "as": "bot"}""", "text")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "text": "{long}", "as": "bot"}""", "text")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "text": "Oi"}""", "as")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "text": "Oi", "as": "robot"}""", "as")]
    [TestCase("""{"instance_name": "{instance}", "number": "5511999990001", "text": "Oi", "as": 1}""", "$.as")]
    public async Task BadInput_Is400_NamingTheField(string template, string field)
    {
        var body = template.Replace("{instance}", _instance, StringComparison.Ordinal).Replace("{long}", new string('a', 4097), StringComparison.Ordinal);
        var request = new HttpRequestMessage(HttpMethod.Post, ApiCalls.SendMessagePath)
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _adminKey);
        var response = await _app.Client.SendAsync(request);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(400), problem.ToString());
        Assert.That(problem.GetProperty("errors").TryGetProperty(field, out _), Is.True, problem.ToString());
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }

    [Test]
    public async Task TextThatCannotBeStored_Is400_AndNothingIsSent()
    {
        var chat = Payloads.NewChatId();
        var response = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "A\u0000B", @as = "agent" }, _adminKey);
        Assert.That((int)response.StatusCode, Is.EqualTo(400), await response.Content.ReadAsStringAsync());
        Assert.That(_app.Evolution.Requests, Is.Empty);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", chat), Is.EqualTo(0));
    }

    [Test]
    public async Task Swagger_DocumentsTheRoute_AndItsSnakeCaseBody()
    {
        var document = await _app.Client.GetFromJsonAsync<JsonElement>("/swagger/v1/swagger.json");
        var post = document.GetProperty("paths").GetProperty(ApiCalls.SendMessagePath).GetProperty("post");
        Assert.That(post.GetProperty("responses").EnumerateObject().Select(r => r.Name), Is.SupersetOf(new[] { "201", "400", "401", "403", "404", "409", "502" }));
        var request = document.GetProperty("components").GetProperty("schemas").GetProperty("SendMessageRequest").GetProperty("properties");
        Assert.That(request.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(new[] { "instance_name", "chat_id", "number", "text", "as" }));
        var tenant = document.GetProperty("components").GetProperty("schemas").GetProperty("CreateTenantRequest").GetProperty("properties");
        Assert.That(tenant.TryGetProperty("workflow_url", out _) && tenant.TryGetProperty("workflow_secret", out _), Is.True);
    }

    [Test]
    public async Task TextOfExactly4096Characters_IsAccepted()
    {
        var text = new string('x', 4096);
        var sent = await _app.SendMessageAsync(_adminKey, new { instance_name = _instance, chat_id = Payloads.NewChatId(), text, @as = "bot" });
        Assert.That(sent.GetProperty("provider_message_id").GetString(), Is.Not.Empty);
    }

    [Test]
    public async Task UnknownInstance_Is404()
    {
        var response = await SendAsync(new { instance_name = "no-such-instance", chat_id = Payloads.NewChatId(), text = "Oi", @as = "agent" }, _adminKey);
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }

    [Test]
    public async Task WithoutKey_Is401()
    {
        var response = await SendAsync(new { instance_name = _instance, chat_id = Payloads.NewChatId(), text = "Oi", @as = "bot" }, null);
        Assert.That((int)response.StatusCode, Is.EqualTo(401));
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }

    [Test]
    public async Task AnotherTenantsKey_Is404_AndNothingIsSent()
    {
        var chat = Payloads.NewChatId();
        var response = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Oi", @as = "bot" }, _otherTenantKey);
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
        Assert.That(_app.Evolution.Requests, Is.Empty);
        Assert.That(await _app.ScalarAsync<long>("SELECT count(*) FROM sessions WHERE chat_id = $1", chat), Is.EqualTo(0));
    }

    [Test]
    public async Task AgentKey_AsBot_Is403_ButPlatformAdminMaySendAsBot()
    {
        var chat = Payloads.NewChatId();
        var response = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Oi", @as = "bot" }, _agentKey);
        Assert.That((int)response.StatusCode, Is.EqualTo(403));
        Assert.That(_app.Evolution.Requests, Is.Empty);

        var asAdmin = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Oi", @as = "bot" }, HybridFlowApp.AdminKey);
        Assert.That((int)asAdmin.StatusCode, Is.EqualTo(201));
    }

    [Test]
    public async Task EvolutionRefusing_Is502_AndTheAgentsChatIsNotPaused()
    {
        var chat = Payloads.NewChatId();
        _app.Evolution.FailNext((400, $$$"""{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"{{{chat}}}","number":"{{{chat.Split('@')[0]}}}"}]}}"""));

        var response = await SendAsync(new { instance_name = _instance, chat_id = chat, text = "Oi", @as = "agent" }, _agentKey);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(502), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.That(problem.GetProperty("status").GetInt32(), Is.EqualTo(502));
        Assert.That(problem.GetProperty("evolution_status").GetInt32(), Is.EqualTo(400));
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("not on WhatsApp"));
        Assert.That(text, Does.Not.Contain(HybridFlowApp.EvolutionApiKey));

        Assert.That((await _app.GetSessionAsync(_instance, chat)).GetProperty("is_paused").GetBoolean(), Is.False, "nothing was said, so nobody took over");
        Assert.That(await CountMessagesAsync(chat, "human"), Is.EqualTo(0));
        Assert.That(await _app.ScalarAsync<string>(
            "SELECT j.status || ' ' || j.kind FROM reply_jobs j JOIN sessions s ON s.id = j.session_id WHERE s.chat_id = $1", chat), Is.EqualTo("dead api_agent"));
        Assert.That(await _app.TimelineAsync(_instance, chat), Is.EqualTo(new[] { "send_failed" }));
    }

    [Test]
    public async Task EvolutionDown_Is502_WithoutUpstreamStatus()
    {
        await using var app = await HybridFlowApp.StartAsync();
        var (tenantId, instance) = await app.CreateTenantWithInstanceAsync(evolution: Llm.LlmTestSupport.UnusedLocalUrl("/"));
        var key = await app.CreateApiKeyAsync(tenantId, "tenant_admin");
        var response = await app.PostWithKeyAsync(ApiCalls.SendMessagePath, new { instance_name = instance, number = "5511999990001", text = "Oi", @as = "bot" }, key);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That((int)response.StatusCode, Is.EqualTo(502), problem.ToString());
        Assert.That(problem.GetProperty("evolution_status").ValueKind, Is.EqualTo(JsonValueKind.Null));
    }
}
