using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Tenants;
using HybridFlow.Infrastructure.Evolution;
using HybridFlow.IntegrationTests.Llm;
using HybridFlow.IntegrationTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace HybridFlow.IntegrationTests.Evolution;

/// <summary>
/// The Refit Evolution client as the app registers it, called directly against the fake Evolution: sendPresence and
/// findMessages with Evolution's body shapes, per-instance apikey and correlation id, and the gateway's failure kinds.
/// </summary>
public sealed class EvolutionApiTests
{
    private const string Instance = "loja-centro";
    private const string ApiKey = "A1B2C3D4E5F60718293A4B5C6D7E8F90";
    private HybridFlowApp _app = null!;
    private EvolutionApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task StartApp()
    {
        _app = await HybridFlowApp.StartAsync(new Dictionary<string, string?>
        {
            ["WORKERS_ENABLED"] = "false",
            // These tests are about the Evolution client; the fake listens on loopback (the guard has its own tests).
            ["OUTBOUND_ALLOW_PRIVATE_NETWORKS"] = "true",
        });
        _factory = _app.Services.GetRequiredService<EvolutionApiFactory>();
    }

    [OneTimeTearDown]
    public async Task StopApp() => await _app.DisposeAsync();

    [SetUp]
    public void ResetFake()
    {
        _app.Evolution.Reset();
        _app.Evolution.RequiredApiKey = ApiKey;
    }

    private EvolutionEndpoint Endpoint(string? apiKey = ApiKey) => new(_app.Evolution.BaseAddress.ToString().TrimEnd('/'), Instance, apiKey);

    private IEvolutionApi Api(string? correlationId = null, string? apiKey = ApiKey) =>
        _factory.For(Endpoint(apiKey), correlationId) ?? throw new AssertionException("the fake's URL is a valid server URL");

    [Test]
    public async Task SendPresence_PostsNumberPresenceAndDelay_WithTheInstancesKeyAndCorrelationId()
    {
        using var response = await Api("corr-presence-7").SendPresenceAsync(Instance, new SendPresenceRequest("5511999990001", "composing", 300), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        Assert.That(response.Content!.Presence, Is.EqualTo("composing"));
        var call = _app.Evolution.CallsTo("/chat/sendPresence/").Single();
        Assert.That(call.Method, Is.EqualTo("POST"));
        Assert.That(call.Path, Is.EqualTo($"/chat/sendPresence/{Instance}"));
        Assert.That(call.Header("apikey"), Is.EqualTo(ApiKey));
        Assert.That(call.Header("x-correlation-id"), Is.EqualTo("corr-presence-7"));
        Assert.That(call.Header("content-length"), Is.EqualTo(System.Text.Encoding.UTF8.GetByteCount(call.Body).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            "the body is buffered, not chunked");
        Assert.That(call.Json.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "number", "presence", "delay" }));
        Assert.That(call.Json.GetProperty("number").GetString(), Is.EqualTo("5511999990001"));
        Assert.That(call.Json.GetProperty("delay").GetInt32(), Is.EqualTo(300));
    }

    [Test]
    public async Task SendPresence_EvolutionRefusingIt_ComesBackWithItsStatusAndError()
    {
        using var response = await Api().SendPresenceAsync(Instance, new SendPresenceRequest("5511999990001", "typing", 0), CancellationToken.None);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.IsSuccessStatusCode, Is.False);
        var error = EvolutionApiFactory.ErrorOf(response);
        Assert.That(error?.Status, Is.EqualTo(400));
        Assert.That(error?.Response?.Message?.EnumerateArray().Single().GetString(), Does.Contain("allowed values"));
    }

    [Test]
    public async Task FindMessages_FindsWhatWasSent_ByKeyId_ByChatNewestFirstInPages_AndByTime()
    {
        var api = Api();
        var chat = Payloads.NewChatId();
        var other = Payloads.NewChatId();
        var ids = new List<string>();
        foreach (var text in new[] { "primeira", "segunda", "terceira" })
        {
            using var sent = await api.SendTextAsync(Instance, new SendTextRequest(chat.Split('@')[0], text), CancellationToken.None);
            Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            ids.Add(sent.Content!.Key!.Id!);
        }
        using (await api.SendTextAsync(Instance, new SendTextRequest(other.Split('@')[0], "outra conversa"), CancellationToken.None)) { }

        using (var byId = await api.FindMessagesAsync(Instance, new FindMessagesRequest(new FindMessagesWhere(new MessageKey(null, null, ids[1]))), CancellationToken.None))
        {
            Assert.That(byId.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            var page = byId.Content!.Messages!;
            Assert.That(page.Total, Is.EqualTo(1));
            var record = page.Records!.Single();
            Assert.That(record.Key, Is.EqualTo(new MessageKey(chat, true, ids[1])));
            Assert.That(record.Message!.Value.GetProperty("conversation").GetString(), Is.EqualTo("segunda"));
            Assert.That(record.MessageTimestamp, Is.GreaterThan(0));
            Assert.That(record.MessageUpdate!.Select(u => u.Status), Is.EqualTo(new[] { "SERVER_ACK" }));
        }
        var byIdBody = _app.Evolution.CallsTo("/chat/findMessages/").Single().Json;
        Assert.That(byIdBody.EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "where" }), "unset page and offset are left out");
        Assert.That(byIdBody.GetProperty("where").GetProperty("key").EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "id" }),
            "unset filters are left out, not sent as null");

        var byChat = new FindMessagesWhere(new MessageKey(chat, true, null));
        using (var first = await api.FindMessagesAsync(Instance, new FindMessagesRequest(byChat, Page: 1, Offset: 2), CancellationToken.None))
        {
            var page = first.Content!.Messages!;
            Assert.That((page.Total, page.Pages, page.CurrentPage), Is.EqualTo((3, 2, 1)));
            Assert.That(page.Records!.Select(r => r.Key!.Id), Is.EqualTo(new[] { ids[2], ids[1] }), "newest first");
        }
        using (var second = await api.FindMessagesAsync(Instance, new FindMessagesRequest(byChat, Page: 2, Offset: 2), CancellationToken.None))
            Assert.That(second.Content!.Messages!.Records!.Select(r => r.Key!.Id), Is.EqualTo(new[] { ids[0] }));

        var before = DateTimeOffset.UtcNow.AddHours(-2);
        var earlier = new FindMessagesWhere(new MessageKey(chat, true, null), new TimestampRange(before.AddHours(-1), before));
        using (var none = await api.FindMessagesAsync(Instance, new FindMessagesRequest(earlier), CancellationToken.None))
        {
            Assert.That(none.Content!.Messages!.Total, Is.Zero);
            Assert.That(none.Content.Messages.Records, Is.Empty);
        }
        var range = _app.Evolution.CallsTo("/chat/findMessages/").Last().Json.GetProperty("where").GetProperty("messageTimestamp");
        Assert.That(DateTimeOffset.Parse(range.GetProperty("gte").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(before.AddHours(-1)));
        Assert.That(DateTimeOffset.Parse(range.GetProperty("lte").GetString()!, System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(before));
    }

    [Test]
    public async Task FindMessages_WhenEvolutionStoresNothing_IsAnEmptyPage()
    {
        _app.Evolution.StoresMessages = false;
        var api = Api();
        using (await api.SendTextAsync(Instance, new SendTextRequest("5511999990002", "oi"), CancellationToken.None)) { }

        using var found = await api.FindMessagesAsync(Instance, new FindMessagesRequest(new FindMessagesWhere(new MessageKey("5511999990002@s.whatsapp.net", true, null))), CancellationToken.None);
        Assert.That(found.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(found.Content!.Messages!.Total, Is.Zero);
        Assert.That(found.Content.Messages.Records, Is.Empty);
    }

    [Test]
    public async Task Calls_WithTheWrongKey_Are401_AndCarryOnlyThatInstancesKey()
    {
        using var response = await Api(apiKey: "another-instances-key").FindMessagesAsync(Instance, new FindMessagesRequest(new FindMessagesWhere()), CancellationToken.None);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(EvolutionApiFactory.ErrorOf(response)?.Error, Is.EqualTo("Unauthorized"));
        Assert.That(_app.Evolution.Requests.Single().Header("apikey"), Is.EqualTo("another-instances-key"));
    }

    [Test]
    public async Task AdminCalls_CarryTheApiRequestsCorrelationId()
    {
        _app.Evolution.RequiredApiKey = HybridFlowApp.EvolutionApiKey;
        var (_, instance) = await _app.CreateTenantWithInstanceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/instances/{instance}/test-webhook");
        request.Headers.Add("X-Correlation-Id", "op-corr-123");

        using var response = await _app.Admin.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var call = _app.Evolution.CallsTo("/instance/connectionState/").Single();
        Assert.That(call.Header("x-correlation-id"), Is.EqualTo("op-corr-123"));
        Assert.That(call.Header("apikey"), Is.EqualTo(HybridFlowApp.EvolutionApiKey));
    }

    // ---- the gateway (sendText) through the same client: which failures may be retried

    private static InstanceContext Context(string serverUrl) =>
        new(1, Instance, serverUrl, ApiKey, null, new TenantPolicy(1, ReplyMode.Ai, TimeSpan.FromHours(2), TimeSpan.Zero, 10, true));

    private Task<SentText> SendAsync(string? serverUrl = null, string? correlationId = null) =>
        _app.Services.GetRequiredService<IWhatsAppGateway>().SendTextAsync(
            new OutgoingText(Context(serverUrl ?? _app.Evolution.BaseAddress.ToString().TrimEnd('/')), "5511999990003@s.whatsapp.net", "Olá!", correlationId),
            CancellationToken.None);

    private const string LaterNumber = "5511999990009";

    /// <summary>
    /// "Not repeated", checked by a later call instead of a sleep: one more send through the same gateway, answered after
    /// the fake recorded it. The failed send's call (and any retry of it) ended before it threw, so every attempt it made
    /// is recorded by then.
    /// </summary>
    private async Task LaterSendAsync()
    {
        var sent = await _app.Services.GetRequiredService<IWhatsAppGateway>().SendTextAsync(
            new OutgoingText(Context(_app.Evolution.BaseAddress.ToString().TrimEnd('/')), LaterNumber + "@s.whatsapp.net", "Marcador", null),
            CancellationToken.None);
        Assert.That(sent.ProviderMessageId, Does.StartWith("3EB0"), "the later send went through");
    }

    private IReadOnlyList<RecordedRequest> SendsWithoutTheLaterOne() =>
        [.. _app.Evolution.CallsTo("/message/sendText/").Where(c => c.Json.GetProperty("number").GetString() != LaterNumber)];

    [Test]
    public async Task SendText_ReturnsKeyIdAndTheSendMessageObject_WithTheCorrelationId()
    {
        var sent = await SendAsync(correlationId: "job-corr-9");

        var call = _app.Evolution.SuccessfulSends.Single();
        Assert.That(call.Header("x-correlation-id"), Is.EqualTo("job-corr-9"));
        Assert.That(call.Json.GetProperty("number").GetString(), Is.EqualTo("5511999990003"));
        using var raw = JsonDocument.Parse(sent.RawJson);
        Assert.That(raw.RootElement.GetProperty("key").GetProperty("id").GetString(), Is.EqualTo(sent.ProviderMessageId));
        Assert.That(raw.RootElement.GetProperty("message").GetProperty("conversation").GetString(), Is.EqualTo("Olá!"));
        Assert.That(raw.RootElement.GetProperty("status").GetString(), Is.EqualTo("PENDING"));
    }

    [Test]
    public async Task SendText_ConnectionDroppedAfterSending_IsOutcomeUnknown_AndNotResent()
    {
        _app.Evolution.DropNext();
        var e = await Assert.ThrowsAsync<WhatsAppSendException>(() => SendAsync());
        Assert.That(e!.Kind, Is.EqualTo(SendFailureKind.OutcomeUnknown));
        await LaterSendAsync();
        Assert.That(SendsWithoutTheLaterOne(), Has.Count.EqualTo(1), "a send whose answer was lost is not repeated");
    }

    [TestCase(429)]
    public async Task SendText_429_IsRetriedInPlace_ThenSent(int status)
    {
        _app.Evolution.FailNext((status, $$"""{"status":{{status}},"error":"busy"}"""));
        var sent = await SendAsync();
        Assert.That(sent.ProviderMessageId, Does.StartWith("3EB0"));
        Assert.That(_app.Evolution.CallsTo("/message/sendText/").Select(c => c.Header("x-fake-outcome")), Is.EqualTo(new[] { status.ToString(System.Globalization.CultureInfo.InvariantCulture), "201" }));
    }

    [TestCase(400, """{"status":400,"error":"Bad Request","response":{"message":[{"exists":false,"jid":"5511999990003@s.whatsapp.net","number":"5511999990003"}]}}""", SendFailureKind.Permanent)]
    [TestCase(400, """{"status":400,"error":"Bad Request","response":{"message":["Error: Connection Closed"]}}""", SendFailureKind.Transient)]
    [TestCase(401, """{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}""", SendFailureKind.Permanent)]
    [TestCase(403, """{"status":403,"error":"Forbidden","response":{"message":"Forbidden"}}""", SendFailureKind.Permanent)]
    [TestCase(404, """{"status":404,"error":"Not Found","response":{"message":["The \"loja-centro\" instance does not exist"]}}""", SendFailureKind.Permanent)]
    [TestCase(500, """{"status":500,"error":"Internal Server Error","response":{"message":["Error: Connection Closed"]}}""", SendFailureKind.Transient)]
    // After the request reached Evolution, a 5xx or a 400 that does not say why proves nothing: the send may have gone out.
    [TestCase(400, """{"status":400,"error":"Bad Request","response":{"message":["PrismaClientKnownRequestError: Timed out fetching a new connection"]}}""", SendFailureKind.OutcomeUnknown)]
    [TestCase(500, """{"status":500,"error":"Internal Server Error"}""", SendFailureKind.OutcomeUnknown)]
    [TestCase(502, "<html>Bad Gateway</html>", SendFailureKind.OutcomeUnknown)]
    [TestCase(503, """{"status":503,"error":"busy"}""", SendFailureKind.OutcomeUnknown)]
    [TestCase(504, "<html>Gateway Time-out</html>", SendFailureKind.OutcomeUnknown)]
    public async Task SendText_EvolutionsErrors_AreClassified_AndNotRetriedInPlace(int status, string body, SendFailureKind kind)
    {
        _app.Evolution.FailNext((status, body));
        var e = await Assert.ThrowsAsync<WhatsAppSendException>(() => SendAsync());
        Assert.That((e!.Kind, e.UpstreamStatus), Is.EqualTo((kind, (int?)status)));
        await LaterSendAsync();
        Assert.That(SendsWithoutTheLaterOne(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SendText_ToAServerUrlThatIsNoUrl_IsPermanent_AndCallsNothing()
    {
        var e = await Assert.ThrowsAsync<WhatsAppSendException>(() => SendAsync("evo.example.com"));
        Assert.That(e!.Kind, Is.EqualTo(SendFailureKind.Permanent));
        Assert.That(_app.Evolution.Requests, Is.Empty);
    }

    [Test]
    public async Task SendText_ToAClosedPort_IsTransient()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var e = await Assert.ThrowsAsync<WhatsAppSendException>(() => SendAsync($"http://127.0.0.1:{port}"));
        Assert.That(e!.Kind, Is.EqualTo(SendFailureKind.Transient));
        Assert.That(e.UpstreamStatus, Is.Null);
    }

    [TestCase(500)]
    [TestCase(502)]
    [TestCase(400)]
    public async Task SendText_FailingAfterTheSend_IsOutcomeUnknown_AndNotResent(int status)
    {
        _app.Evolution.FailAfterSendNext(status, $$"""{"status":{{status}},"error":"after the send"}""");
        var e = await Assert.ThrowsAsync<WhatsAppSendException>(() => SendAsync());
        Assert.That((e!.Kind, e.UpstreamStatus), Is.EqualTo((SendFailureKind.OutcomeUnknown, (int?)status)));
        Assert.That(_app.Evolution.CallsTo("/message/sendText/"), Has.Count.EqualTo(1), "not retried in place");
        Assert.That(_app.Evolution.SuccessfulSends, Has.Count.EqualTo(1), "the fake sent it before failing");
    }

    [TestCase(true)]
    [TestCase(false)]
    public void EvolutionsPooledConnections_AreDroppedBeforeNodesKeepAliveClosesThem(bool trusted)
    {
        var handlers = _app.Services.GetRequiredService<IHttpMessageHandlerFactory>();
        HttpMessageHandler? handler = handlers.CreateHandler(HybridFlow.Infrastructure.Security.OutboundHttp.ClientName(EvolutionApiFactory.HttpClientName, trusted));
        while (handler is DelegatingHandler delegating) handler = delegating.InnerHandler;
        var sockets = handler as SocketsHttpHandler ?? throw new AssertionException($"the primary handler is {handler?.GetType().Name}");
        Assert.That(sockets.PooledConnectionIdleTimeout, Is.LessThan(FakeEvolutionServer.NodeKeepAliveTimeout));
    }

    [Test]
    public async Task TheFakeEvolution_ClosesAnIdleKeepAliveConnection_After5Seconds_AsNodeDoes()
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _app.Evolution.BaseAddress.Port);
        var stream = tcp.GetStream();
        var request = $"GET /instance/connectionState/{Instance} HTTP/1.1\r\nHost: 127.0.0.1\r\napikey: {ApiKey}\r\nConnection: keep-alive\r\n\r\n";
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(request));
        var buffer = new byte[4096];
        // The answer can come in more than one segment: read all of it, so the next read waits for the close alone.
        var answer = new List<byte>();
        while (!IsWholeHttpResponse(answer))
        {
            var n = await stream.ReadAsync(buffer);
            Assert.That(n, Is.GreaterThan(0), "answered, and kept alive");
            answer.AddRange(buffer.AsSpan(0, n).ToArray());
        }

        var started = System.Diagnostics.Stopwatch.StartNew();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var read = await stream.ReadAsync(buffer, wait.Token);
        Assert.That(read, Is.Zero, "the server closed the idle connection");
        Assert.That(started.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(4)), "not before Node would");
    }

    private static bool IsWholeHttpResponse(List<byte> received)
    {
        var text = System.Text.Encoding.ASCII.GetString(received.ToArray());
        var headersEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (headersEnd < 0) return false;
        var headers = text[..headersEnd];
        if (System.Text.RegularExpressions.Regex.IsMatch(headers, @"(?im)^transfer-encoding:\s*chunked")) return text.EndsWith("\r\n0\r\n\r\n", StringComparison.Ordinal);
        var length = System.Text.RegularExpressions.Regex.Match(headers, @"(?im)^content-length:\s*(\d+)");
        return received.Count >= headersEnd + 4 + (length.Success ? int.Parse(length.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0);
    }
}
