using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that answers the Evolution 2.3 endpoints HybridFlow calls, the way Evolution does:
/// POST /message/sendText/{instance} (201 with the send.message object), GET /instance/connectionState/{instance}
/// and POST /webhook/set/{instance} (nested body, 201 with the stored row), POST /chat/sendPresence/{instance} (201
/// <c>{presence}</c>) and POST /chat/findMessages/{instance} (the page of stored messages, newest first: its sends, and
/// the received ones tests report with <see cref="RecordReceived"/>). It records every call, and can fail (before or
/// after sending), drop the connection (before or after sending), check the apikey header, forget an instance, or fire
/// the echo first. By default it is as unkind as Evolution: every send is echoed (a send.message webhook through
/// <see cref="DeliverWebhook"/>, not awaited, so it may come before or after the answer), a send's <c>delay</c> holds
/// the answer, and idle keep-alive connections are closed after 5 s (Node's default keepAliveTimeout).
/// </summary>
public sealed partial class FakeEvolutionServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _scriptedFailures = new();
    private readonly ConcurrentDictionary<string, string?> _connectionStates = new();
    private readonly ConcurrentDictionary<string, JsonElement> _webhooks = new();
    private readonly ConcurrentDictionary<string, bool> _missingInstances = new();
    private readonly ConcurrentQueue<StoredSend> _stored = new();

    private FakeEvolutionServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every call, failed ones included.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The sendText calls that reached WhatsApp: answered 201, or sent and then cut off before the answer (<see cref="SendThenDropNext"/>).</summary>
    public IReadOnlyList<RecordedRequest> SuccessfulSends =>
        [.. _requests.Where(r => r.Path.StartsWith(SendTextPath, StringComparison.Ordinal)
                                 && r.Header("x-fake-outcome") is { } outcome && (outcome == "201" || outcome.StartsWith(SentThenPrefix, StringComparison.Ordinal)))];

    /// <summary>The sendPresence calls ("typing…"), answered or not.</summary>
    public IReadOnlyList<RecordedRequest> PresenceCalls => CallsTo(SendPresencePath);

    /// <summary>The calls of one endpoint, e.g. <c>/webhook/set/</c> or <c>/instance/connectionState/</c>.</summary>
    public IReadOnlyList<RecordedRequest> CallsTo(string pathPrefix) => [.. _requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal))];

    /// <summary>When set, every call must carry this <c>apikey</c> header, or it is answered 401 as Evolution does.</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>The <c>webhook</c> object last stored for the instance through /webhook/set, if any.</summary>
    public JsonElement? WebhookOf(string instance) => _webhooks.TryGetValue(instance, out var w) ? w : null;

    /// <summary>What connectionState reports for the instance (default <c>open</c>; null: not loaded, no state).</summary>
    public void SetConnectionState(string instance, string? state) => _connectionStates[instance] = state;

    /// <summary>Evolution does not know the instance: every call about it is answered 404.</summary>
    public void ForgetInstance(string instance) => _missingInstances[instance] = true;

    private const string SendTextPath = "/message/sendText/";
    private const string ConnectionStatePath = "/instance/connectionState/";
    private const string SetWebhookPath = "/webhook/set/";
    private const string SendPresencePath = "/chat/sendPresence/";
    private const string FindMessagesPath = "/chat/findMessages/";
    private const int DroppedConnection = 0;
    private const int SentThenDropped = -1;
    private const int SentThenDroppedWithEcho = -2;
    public const string SentThenDroppedOutcome = "sent-then-dropped";
    // A scripted status at or below this is "sent, then answered -status" (FailAfterSendNext).
    private const int SentThenFailedBelow = -100;
    private const string SentThenPrefix = "sent-then-";
    /// <summary>Node's default http.Server keepAliveTimeout, which Evolution does not change.</summary>
    public static readonly TimeSpan NodeKeepAliveTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Where the fake posts the webhooks Evolution would send to the instance's webhook URL (instance, payload); set once
    /// by <see cref="HybridFlowApp"/> and kept across <see cref="Reset"/>.
    /// </summary>
    public Func<string, JsonObject, Task>? DeliverWebhook { get; set; }

    /// <summary>Every send is echoed as a send.message webhook, as Evolution does (default true; a test about a lost echo turns it off).</summary>
    public bool EchoesSends { get; set; } = true;

    /// <summary>
    /// Evolution's createJid/onWhatsApp for an older Brazilian mobile: a send to 55 + area + 9 + 8 digits goes out, is
    /// answered, echoed and stored under 55 + area + 8 digits.
    /// </summary>
    public bool DropsBrazilianNinthDigit { get; set; }

    /// <summary>Fires the send.message webhook (remoteJid, text, key.id) instead of the default echo through <see cref="DeliverWebhook"/>.</summary>
    public Func<string, string, string, Task>? Echo { get; set; }

    /// <summary>Evolution's DATABASE_SAVE_DATA_NEW_MESSAGE: when false, sends are not stored and findMessages finds none.</summary>
    public bool StoresMessages { get; set; } = true;

    /// <summary>Runs after a message is accepted but before the HTTP answer, like Evolution firing send.message first.</summary>
    public Func<string, string, string, Task>? BeforeAnswer { get; set; }

    /// <summary>How long a send waits before it is answered (to provoke the client's timeout).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>
    /// The clock of the messages' timestamps (answers, echoes, stored sends): HybridFlowApp sets the app's test clock, as
    /// Evolution and HybridFlow share real time. With the machine's clock, an echo that beat the send's answer stamped the
    /// bot's message with another time than the app's.
    /// </summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>A sendText with a <c>delay</c> is answered only after it, as Evolution does (it shows "typing…" meanwhile). Default true.</summary>
    public bool TypesLikeEvolution { get; set; } = true;

    /// <summary>Starts on a random port, or on <paramref name="port"/> (to bring a "down" Evolution back where it was).</summary>
    public static async Task<FakeEvolutionServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.WebHost.ConfigureKestrel(o => o.Limits.KeepAliveTimeout = NodeKeepAliveTimeout);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeEvolutionServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>The next calls are answered with these statuses and bodies, in order.</summary>
    public void FailNext(params (int Status, string Body)[] failures)
    {
        foreach (var f in failures) _scriptedFailures.Enqueue(f);
    }

    /// <summary>The next call is read in full, then its connection is reset without an answer (a response lost mid-request).</summary>
    public void DropNext() => _scriptedFailures.Enqueue((DroppedConnection, ""));

    /// <summary>
    /// The next sendText goes out to WhatsApp (and is stored when <see cref="StoresMessages"/>), then its connection is reset
    /// before the answer. With <paramref name="echo"/>, the send.message webhook follows shortly, through <see cref="Echo"/>.
    /// </summary>
    public void SendThenDropNext(bool echo) => _scriptedFailures.Enqueue((echo ? SentThenDroppedWithEcho : SentThenDropped, ""));

    /// <summary>
    /// The next sendText goes out to WhatsApp (stored, and echoed when <see cref="EchoesSends"/>), then is answered
    /// <paramref name="status"/> with <paramref name="body"/>: Evolution failing in the work after the send (its 400), or a
    /// proxy in front of it answering 5xx after Evolution sent.
    /// </summary>
    public void FailAfterSendNext(int status, string body) => _scriptedFailures.Enqueue((-status + SentThenFailedBelow, body));

    /// <summary>
    /// What Evolution stores of a message it received (a messages.upsert it also sent as a webhook), when it stores messages:
    /// findMessages then shows it too.
    /// </summary>
    public void RecordReceived(string instance, JsonObject payload)
    {
        try
        {
            if (!StoresMessages || payload["event"]?.GetValue<string>() != "messages.upsert" || payload["data"]?["key"] is not JsonObject key) return;
            if (key["id"]?.GetValue<string>() is not { } id || key["remoteJid"]?.GetValue<string>() is not { } remoteJid) return;
            var fromMe = key["fromMe"]?.GetValue<bool>() ?? false;
            var text = payload["data"]?["message"]?["conversation"]?.GetValue<string>() ?? "";
            var timestamp = payload["data"]?["messageTimestamp"]?.GetValue<long>() ?? Now().ToUnixTimeSeconds();
            _stored.Enqueue(new StoredSend(instance, "cm" + Guid.NewGuid().ToString("N")[..23], remoteJid, id, text, timestamp, fromMe));
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            // A deliberately malformed body (the fuzzer's): Evolution would never have stored it.
        }
    }

    public void Reset()
    {
        _requests.Clear();
        _scriptedFailures.Clear();
        _connectionStates.Clear();
        _webhooks.Clear();
        _missingInstances.Clear();
        _stored.Clear();
        StoresMessages = true;
        RequiredApiKey = null;
        BeforeAnswer = null;
        Echo = null;
        EchoesSends = true;
        DropsBrazilianNinthDigit = false;
        Delay = TimeSpan.Zero;
        TypesLikeEvolution = true;
        ResetConnect();
    }

    /// <summary>The <c>delay</c> (ms of "typing…") a sendText asked for; null when it asked for none. A send is recorded when it goes out, after its typing delay.</summary>
    public static int? TypingDelayOf(RecordedRequest send) =>
        send.Json.TryGetProperty("delay", out var delay) && delay.ValueKind == JsonValueKind.Number ? delay.GetInt32() : null;

    public IReadOnlyList<RecordedRequest> SendsTo(string chatId)
    {
        var number = chatId.Split('@')[0];
        return [.. SuccessfulSends.Where(r => r.Json.GetProperty("number").GetString() is { } n && (n == number || n == chatId))];
    }

    /// <summary>The scripted failure for this call: a send-then-drop waits for the next sendText; the others take any call.</summary>
    private (int Status, string Body)? NextScriptedFailure(string path)
    {
        lock (_scriptedFailures)
        {
            if (!_scriptedFailures.TryPeek(out var next)) return null;
            var sendsOnly = next.Status is SentThenDropped or SentThenDroppedWithEcho || next.Status <= SentThenFailedBelow;
            if (sendsOnly && !path.StartsWith(SendTextPath, StringComparison.Ordinal)) return null;
            _scriptedFailures.TryDequeue(out _);
            return next;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = context.Request.Path.Value ?? "";

        var scripted = NextScriptedFailure(path);
        if (scripted is { Status: SentThenDropped or SentThenDroppedWithEcho } sendThenDrop)
        {
            await SendThenDropAsync(context, headers, body, path, sendThenDrop.Status == SentThenDroppedWithEcho);
            return;
        }
        if (scripted is { Status: <= SentThenFailedBelow } sendThenFail)
        {
            await SendThenFailAsync(context, headers, body, path, SentThenFailedBelow - sendThenFail.Status, sendThenFail.Body);
            return;
        }
        if (scripted is { } failure)
        {
            if (failure.Status == DroppedConnection)
            {
                headers["x-fake-outcome"] = "dropped";
                _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
                context.Abort();
                return;
            }
            await AnswerAsync(context, headers, body, failure.Status, failure.Body);
            return;
        }
        if (RequiredApiKey is { } apiKey && headers.GetValueOrDefault("apikey") != apiKey)
        {
            await AnswerAsync(context, headers, body, 401, """{"status":401,"error":"Unauthorized","response":{"message":"Unauthorized"}}""");
            return;
        }

        var method = context.Request.Method;
        var instance = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        var route = (method, path) switch
        {
            ("POST", _) when path.StartsWith(SendTextPath, StringComparison.Ordinal) => SendTextPath,
            ("GET", _) when path.StartsWith(ConnectionStatePath, StringComparison.Ordinal) => ConnectionStatePath,
            ("POST", _) when path.StartsWith(SetWebhookPath, StringComparison.Ordinal) => SetWebhookPath,
            ("POST", _) when path.StartsWith(SendPresencePath, StringComparison.Ordinal) => SendPresencePath,
            ("POST", _) when path.StartsWith(FindMessagesPath, StringComparison.Ordinal) => FindMessagesPath,
            ("POST", _) when path.StartsWith(MediaPath, StringComparison.Ordinal) => MediaPath,
            ("GET", _) when path.StartsWith(ConnectPath, StringComparison.Ordinal) => ConnectPath,
            ("POST", CreateInstancePath) => CreateInstancePath,
            _ => null,
        };
        if (route is null)
        {
            await AnswerAsync(context, headers, body, 404,
                JsonSerializer.Serialize(new { status = 404, error = "Not Found", response = new { message = new[] { $"Cannot {method} {path}" } } }));
            return;
        }
        if (route == CreateInstancePath)
        {
            await CreateInstanceAsync(context, headers, body);
            return;
        }
        if (_missingInstances.ContainsKey(instance))
        {
            await AnswerAsync(context, headers, body, 404,
                JsonSerializer.Serialize(new { status = 404, error = "Not Found", response = new { message = new[] { $"The \"{instance}\" instance does not exist" } } }));
            return;
        }
        if (route == ConnectionStatePath)
        {
            var state = _connectionStates.TryGetValue(instance, out var s) ? s : "open";
            // Evolution reads the state from memory: it is simply missing while the instance is not loaded.
            var stateAnswer = state is null
                ? JsonSerializer.Serialize(new { instance = new { instanceName = instance } })
                : JsonSerializer.Serialize(new { instance = new { instanceName = instance, state } });
            await AnswerAsync(context, headers, body, 200, stateAnswer);
            return;
        }
        if (route == ConnectPath)
        {
            await ConnectAsync(context, headers, body, instance);
            return;
        }
        if (route == SetWebhookPath)
        {
            await SetWebhookAsync(context, headers, body, instance);
            return;
        }
        if (route == SendPresencePath)
        {
            await SendPresenceAsync(context, headers, body);
            return;
        }
        if (route == FindMessagesPath)
        {
            await FindMessagesAsync(context, headers, body, instance);
            return;
        }
        if (route == MediaPath)
        {
            await MediaAsync(context, headers, body);
            return;
        }

        var request = JsonNode.Parse(body)!;
        var number = request["number"]!.GetValue<string>();
        var text = request["text"]!.GetValue<string>();
        var remoteJid = RemoteJidOf(number);
        var keyId = "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant();

        // Evolution shows "typing…" for the delay and only then sends: the message reaches the customer after it.
        if (TypesLikeEvolution && request["delay"]?.GetValue<int>() is > 0 and var typing) await Task.Delay(typing);
        headers["x-fake-outcome"] = "201";
        _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay);
        if (BeforeAnswer is { } before) await before(remoteJid, text, keyId);

        var answer = new
        {
            key = new { remoteJid, fromMe = true, id = keyId },
            pushName = "Você",
            status = "PENDING",
            message = new { conversation = text },
            messageType = "conversation",
            messageTimestamp = Now().ToUnixTimeSeconds(),
            instanceId = "5f8a3c2e-1b4d-4e7a-9c1f-2a3b4c5d6e7f",
            source = "web",
        };
        if (StoresMessages) _stored.Enqueue(new StoredSend(instance, "cm" + Guid.NewGuid().ToString("N")[..23], remoteJid, keyId, text, answer.messageTimestamp, true));
        // Evolution fires send.message without awaiting it, just before it answers.
        FireEcho(instance, remoteJid, text, keyId, TimeSpan.Zero);
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
    }

    private async Task SendThenDropAsync(HttpContext context, Dictionary<string, string> headers, string body, string path, bool echo)
    {
        var instance = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        var request = JsonNode.Parse(body)!;
        var number = request["number"]!.GetValue<string>();
        var text = request["text"]!.GetValue<string>();
        var remoteJid = RemoteJidOf(number);
        var keyId = "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant();
        headers["x-fake-outcome"] = SentThenDroppedOutcome;
        _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
        if (StoresMessages)
            _stored.Enqueue(new StoredSend(instance, "cm" + Guid.NewGuid().ToString("N")[..23], remoteJid, keyId, text, Now().ToUnixTimeSeconds(), true));
        await context.Response.Body.FlushAsync();
        context.Abort();
        // Evolution fires send.message without awaiting it: it arrives after the caller has lost its answer.
        if (echo) FireEcho(instance, remoteJid, text, keyId, TimeSpan.FromMilliseconds(150), always: true);
    }

    /// <summary>Sends (stores, echoes), then answers <paramref name="status"/>: the failure came after the message went out.</summary>
    private async Task SendThenFailAsync(HttpContext context, Dictionary<string, string> headers, string body, string path, int status, string answer)
    {
        var instance = Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);
        var request = JsonNode.Parse(body)!;
        var text = request["text"]!.GetValue<string>();
        var remoteJid = RemoteJidOf(request["number"]!.GetValue<string>());
        var keyId = "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant();
        if (TypesLikeEvolution && request["delay"]?.GetValue<int>() is > 0 and var typing) await Task.Delay(typing);
        headers["x-fake-outcome"] = SentThenPrefix + status.ToString(CultureInfo.InvariantCulture);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
        if (StoresMessages)
            _stored.Enqueue(new StoredSend(instance, "cm" + Guid.NewGuid().ToString("N")[..23], remoteJid, keyId, text, Now().ToUnixTimeSeconds(), true));
        FireEcho(instance, remoteJid, text, keyId, TimeSpan.Zero);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    /// <summary>
    /// The send.message webhook of a send, not awaited (as Evolution fires it): through <see cref="Echo"/> when a test set
    /// one, otherwise through <see cref="DeliverWebhook"/> when <see cref="EchoesSends"/> (or <paramref name="always"/>).
    /// </summary>
    private void FireEcho(string instance, string remoteJid, string text, string keyId, TimeSpan after, bool always = false)
    {
        var custom = Echo;
        var deliver = DeliverWebhook;
        if (custom is null && (deliver is null || !(EchoesSends || always))) return;
        _ = Task.Run(async () =>
        {
            try
            {
                if (after > TimeSpan.Zero) await Task.Delay(after);
                if (custom is not null) await custom(remoteJid, text, keyId);
                else await deliver!(instance, Payloads.SendMessageEcho(remoteJid, text, keyId, Now()));
            }
            catch (Exception e) when (e is HttpRequestException or ObjectDisposedException or InvalidOperationException or OperationCanceledException)
            {
                // The app under test is gone (the test ended): a webhook Evolution could not deliver.
            }
        });
    }

    /// <summary>The JID Evolution sends to and stores under for the <c>number</c> of a sendText.</summary>
    private string RemoteJidOf(string number)
    {
        if (number.Contains('@', StringComparison.Ordinal)) return number;
        if (DropsBrazilianNinthDigit && number.Length == 13 && number.StartsWith("55", StringComparison.Ordinal) && number[4] == '9')
            number = number[..4] + number[5..];
        return number + "@s.whatsapp.net";
    }

    /// <summary>Validates the nested body the way Evolution's webhook schema does (webhook.enabled and webhook.url required).</summary>
    private async Task SetWebhookAsync(HttpContext context, Dictionary<string, string> headers, string body, string instance)
    {
        JsonElement webhook;
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            string? problem = root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("webhook", out var w) || w.ValueKind != JsonValueKind.Object
                ? "instance requires property \"webhook\""
                : !w.TryGetProperty("enabled", out var enabled) || enabled.ValueKind is not (JsonValueKind.True or JsonValueKind.False)
                    ? "webhook requires property \"enabled\""
                    : !w.TryGetProperty("url", out var url) || url.ValueKind != JsonValueKind.String
                        ? "webhook requires property \"url\""
                        : null;
            if (problem is not null)
            {
                await AnswerAsync(context, headers, body, 400,
                    JsonSerializer.Serialize(new { status = 400, error = "Bad Request", response = new { message = new[] { problem } } }));
                return;
            }
            webhook = root.GetProperty("webhook").Clone();
        }
        catch (JsonException)
        {
            await AnswerAsync(context, headers, body, 400, """{"status":400,"error":"Bad Request","response":{"message":["Unexpected token in JSON"]}}""");
            return;
        }

        _webhooks[instance] = webhook;
        var now = DateTimeOffset.UtcNow;
        var row = new
        {
            id = "cm" + Guid.NewGuid().ToString("N")[..22],
            url = webhook.GetProperty("url").GetString(),
            headers = webhook.TryGetProperty("headers", out var h) ? h : default,
            enabled = webhook.GetProperty("enabled").GetBoolean(),
            events = webhook.TryGetProperty("events", out var e) ? e : default,
            webhookByEvents = webhook.TryGetProperty("byEvents", out var b) && b.ValueKind == JsonValueKind.True,
            webhookBase64 = webhook.TryGetProperty("base64", out var b64) && b64.ValueKind == JsonValueKind.True,
            createdAt = now,
            updatedAt = now,
            instanceId = "5f8a3c2e-1b4d-4e7a-9c1f-2a3b4c5d6e7f",
        };
        await AnswerAsync(context, headers, body, 201, JsonSerializer.Serialize(row));
    }

    /// <summary>Evolution's schema requires number, presence (one of five) and delay; it blocks for the delay, then answers <c>{presence}</c>.</summary>
    private async Task SendPresenceAsync(HttpContext context, Dictionary<string, string> headers, string body)
    {
        string[] presences = ["composing", "recording", "paused", "available", "unavailable"];
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            request = null;
        }
        var problem = request is not JsonObject o ? "Unexpected token in JSON"
            : o["number"] is not JsonValue number || number.GetValueKind() != JsonValueKind.String ? "instance requires property \"number\""
            : o["presence"] is not JsonValue presence || presence.GetValueKind() != JsonValueKind.String ? "instance requires property \"presence\""
            : !presences.Contains(presence.GetValue<string>()) ? "presence must be equal to one of the allowed values"
            : o["delay"] is not JsonValue delay || delay.GetValueKind() != JsonValueKind.Number ? "instance requires property \"delay\""
            : null;
        if (problem is not null)
        {
            await AnswerAsync(context, headers, body, 400,
                JsonSerializer.Serialize(new { status = 400, error = "Bad Request", response = new { message = new[] { problem } } }));
            return;
        }
        var delayMs = Math.Clamp(request!["delay"]!.GetValue<int>(), 0, 5000);
        if (delayMs > 0) await Task.Delay(delayMs);
        await AnswerAsync(context, headers, body, 201, JsonSerializer.Serialize(new { presence = request["presence"]!.GetValue<string>() }));
    }

    /// <summary>
    /// Filters the stored sends the way Evolution's Prisma query does (key.remoteJid, key.id, messageTimestamp gte/lte as
    /// ISO times; every stored send is fromMe, so that filter keeps them all), newest first, <c>offset</c> per page.
    /// </summary>
    private async Task FindMessagesAsync(HttpContext context, Dictionary<string, string> headers, string body, string instance)
    {
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            await AnswerAsync(context, headers, body, 400, """{"status":400,"error":"Bad Request","response":{"message":["Unexpected token in JSON"]}}""");
            return;
        }
        var key = request?["where"]?["key"];
        var range = request?["where"]?["messageTimestamp"];
        var remoteJid = key?["remoteJid"]?.GetValue<string>();
        var id = key?["id"]?.GetValue<string>();
        // Evolution tests fromMe for truth: false filters nothing.
        var onlyFromMe = key?["fromMe"] is JsonValue f && f.GetValueKind() == JsonValueKind.True;
        var gte = range?["gte"] is { } g ? DateTimeOffset.Parse(g.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeSeconds() : (long?)null;
        var lte = range?["lte"] is { } l ? DateTimeOffset.Parse(l.GetValue<string>(), CultureInfo.InvariantCulture).ToUnixTimeSeconds() : (long?)null;
        var page = Math.Max(1, request?["page"]?.GetValue<int>() ?? 1);
        var offset = Math.Max(1, request?["offset"]?.GetValue<int>() ?? 50);

        var matches = _stored.Where(m => m.Instance == instance
                                         && (remoteJid is null || m.RemoteJid == remoteJid)
                                         && (id is null || m.KeyId == id)
                                         && (!onlyFromMe || m.FromMe)
                                         && (gte is null || m.Timestamp >= gte)
                                         && (lte is null || m.Timestamp <= lte))
            .Reverse()
            .ToList();
        var records = matches.Skip((page - 1) * offset).Take(offset).Select(m => new
        {
            id = m.RowId,
            key = new { remoteJid = m.RemoteJid, fromMe = m.FromMe, id = m.KeyId },
            pushName = m.FromMe ? "Você" : "Cliente",
            messageType = "conversation",
            message = new { conversation = m.Text },
            messageTimestamp = m.Timestamp,
            instanceId = "5f8a3c2e-1b4d-4e7a-9c1f-2a3b4c5d6e7f",
            source = "web",
            contextInfo = (object?)null,
            MessageUpdate = new[] { new { status = "SERVER_ACK" } },
        }).ToList();
        var answer = new { messages = new { total = matches.Count, pages = (matches.Count + offset - 1) / offset, currentPage = page, records } };
        await AnswerAsync(context, headers, body, 200, JsonSerializer.Serialize(answer));
    }

    private sealed record StoredSend(string Instance, string RowId, string RemoteJid, string KeyId, string Text, long Timestamp, bool FromMe);

    private async Task AnswerAsync(HttpContext context, Dictionary<string, string> headers, string body, int status, string answer)
    {
        headers["x-fake-outcome"] = status.ToString(CultureInfo.InvariantCulture);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
