using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// Meta's Graph API for the WhatsApp Cloud API, as unkind as Meta: a real Kestrel server on 127.0.0.1 answering
/// <c>POST /{phone_number_id}/messages</c> (text, template, read receipts and typing indicators), <c>GET /{media-id}</c>
/// and the media URL it hands out (which needs the bearer token too). Errors come in Meta's shape
/// (<c>{"error":{"message","type","code","error_data":{"details"},"fbtrace_id"}}</c>), scripted per call; a send can be
/// accepted and its answer lost (<see cref="SendThenDropNext"/>), an answer held (<see cref="HoldNext"/>), and idle
/// keep-alive connections are closed after <see cref="IdleConnectionTimeout"/>. Every call is recorded with its headers
/// (Authorization included). Other files of this partial class add the webhooks (FakeGraphApi.Webhooks.cs) and the
/// templates (FakeGraphApi.Templates.cs).
/// </summary>
public sealed partial class FakeGraphApi : IAsyncDisposable
{
    public const string Version = "v25.0";
    /// <summary>The access token <see cref="HybridFlowApp"/>'s Cloud API instances are created with.</summary>
    public const string DefaultAccessToken = "EAAGfake-graph-access-token-0123456789";
    public static readonly TimeSpan IdleConnectionTimeout = TimeSpan.FromSeconds(5);
    public const string OutcomeHeader = "x-fake-outcome";
    public const string SentOutcome = "sent";
    public const string SentThenDroppedOutcome = "sent-then-dropped";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<Scripted> _scripted = new();
    private readonly ConcurrentDictionary<string, (string MimeType, byte[] Data)> _media = new();

    private FakeGraphApi(WebApplication app) => _app = app;

    /// <summary>The server's root, e.g. http://127.0.0.1:5123/.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>META_GRAPH_URL for the app under test: the root plus the API version.</summary>
    public Uri GraphUrl => new(BaseAddress, Version);

    /// <summary>The app secret the platform's Meta app signs webhooks with (META_APP_SECRET of <see cref="HybridFlowApp"/>).</summary>
    public string AppSecret { get; set; } = "fake-graph-app-secret-0123456789abcdef";

    /// <summary>The platform app's verify token (META_VERIFY_TOKEN of <see cref="HybridFlowApp"/>).</summary>
    public string VerifyToken { get; set; } = "fake-graph-verify-token-0123456789";

    /// <summary>
    /// Where webhooks go (Meta posting to the app under test): the API's client and the path, /webhooks/meta by default.
    /// Set once by <see cref="HybridFlowApp"/> and kept across <see cref="Reset"/>.
    /// </summary>
    public HttpClient? WebhookClient { get; set; }

    public string WebhookPath { get; set; } = "/webhooks/meta";

    /// <summary>When set, every call must carry <c>Authorization: Bearer</c> with it, or it is answered 401 with code 190 as Meta does.</summary>
    public string? RequiredAccessToken { get; set; } = DefaultAccessToken;

    /// <summary>The clock of the timestamps it hands out; <see cref="HybridFlowApp"/> sets the app's test clock.</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Every call, failed ones included.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The message sends (text and template) that reached WhatsApp: accepted, or accepted and then cut off before the answer.</summary>
    public IReadOnlyList<RecordedRequest> SentMessages =>
        [.. _requests.Where(r => IsMessageSend(r) && r.Header(OutcomeHeader) is SentOutcome or SentThenDroppedOutcome)];

    /// <summary>Every call to <c>/{phone_number_id}/messages</c> that is not a read receipt or typing indicator, answered or not.</summary>
    public IReadOnlyList<RecordedRequest> MessageCalls => [.. _requests.Where(IsMessageSend)];

    /// <summary>The read receipts (with or without a typing indicator) that were accepted.</summary>
    public IReadOnlyList<RecordedRequest> ReadCalls =>
        [.. _requests.Where(r => r.Path.EndsWith("/messages", StringComparison.Ordinal) && r.Method == "POST" && Field(r, "status") == "read")];

    /// <summary>The wamid the fake answered for each accepted send, by the send's request body: WamidOf(send).</summary>
    public static string? WamidOf(RecordedRequest send) => send.Header("x-fake-wamid");

    /// <summary>Starts on a random port.</summary>
    public static async Task<FakeGraphApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(o => o.Limits.KeepAliveTimeout = IdleConnectionTimeout);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeGraphApi(app);
        fake.MapRoutes(app);
        await app.StartAsync();
        fake.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>The template routes (<c>GET /{waba_id}/message_templates</c>), in FakeGraphApi.Templates.cs.</summary>
    partial void MapTemplateRoutes(WebApplication app);

    private void MapRoutes(WebApplication app)
    {
        MapTemplateRoutes(app);
        app.MapPost($"/{Version}/{{phoneNumberId}}/messages", (Func<HttpContext, string, Task>)MessagesAsync);
        app.MapGet($"/{Version}/{{mediaId}}", (Func<HttpContext, string, Task>)MediaInfoAsync);
        app.MapGet("/media-download/{mediaId}", (Func<HttpContext, string, Task>)MediaDownloadAsync);
        app.MapFallback((Func<HttpContext, Task>)(context => AnswerAsync(context, 400,
            MetaError(100, "Unsupported request - method type: " + context.Request.Method, "GraphMethodException"))));
    }

    // ---- scripting ----

    /// <summary>
    /// The next message send (text or template) is answered with Meta's error <paramref name="code"/> and HTTP
    /// <paramref name="status"/>; with <paramref name="anyCall"/>, the next call of any route (a read receipt, the media API).
    /// Several are used in order.
    /// </summary>
    public void FailNext(int code, int status = 400, string? details = null, bool anyCall = false) =>
        _scripted.Enqueue(new Scripted(ScriptedKind.Error, status, MetaError(code, TitleOf(code), "OAuthException", details), SendsOnly: !anyCall));

    /// <summary>The next message send (or, with <paramref name="anyCall"/>, call) is answered <paramref name="status"/> with this raw body (a proxy's 502).</summary>
    public void AnswerNext(int status, string body, bool anyCall = false) =>
        _scripted.Enqueue(new Scripted(ScriptedKind.Error, status, body, SendsOnly: !anyCall));

    /// <summary>
    /// The next message send's (or call's) connection is reset after the request was read, before it is acted on: nothing
    /// went out, but the client cannot tell that from a lost answer.
    /// </summary>
    public void DropNext(bool anyCall = false) => _scripted.Enqueue(new Scripted(ScriptedKind.DropBeforeSending, 0, "", SendsOnly: !anyCall));

    /// <summary>The next message send is accepted (it goes out to the customer), then its connection is reset before the answer.</summary>
    public void SendThenDropNext() => _scripted.Enqueue(new Scripted(ScriptedKind.SendThenDrop, 0, ""));

    /// <summary>The next message send is accepted, and its answer held until <paramref name="release"/> completes (or the client gives up).</summary>
    public void HoldNext(Task release) => _scripted.Enqueue(new Scripted(ScriptedKind.Hold, 0, "", release));

    /// <summary>A file the media API serves: <c>GET /{mediaId}</c> answers its URL, the URL (with the bearer token) its bytes.</summary>
    public void AddMedia(string mediaId, string mimeType, byte[] data) => _media[mediaId] = (mimeType, data);

    public void Reset()
    {
        _requests.Clear();
        _scripted.Clear();
        _media.Clear();
        RequiredAccessToken = DefaultAccessToken;
        ResetParts();
    }

    /// <summary>What the other files of this class reset.</summary>
    partial void ResetParts();

    // ---- routes ----

    private async Task MessagesAsync(HttpContext context, string phoneNumberId)
    {
        var (headers, body) = await ReadAsync(context);
        if (await ScriptedAsync(context, headers, body, isSend: !IsReadOrTyping(body)) is { } handled && handled) return;
        if (!Authorized(headers))
        {
            await AnswerAsync(context, headers, body, 401, MetaError(190, "Invalid OAuth access token - Cannot parse access token", "OAuthException"));
            return;
        }
        JsonNode? request;
        try
        {
            request = JsonNode.Parse(body);
        }
        catch (JsonException)
        {
            await AnswerAsync(context, headers, body, 400, MetaError(100, "Invalid parameter", "OAuthException"));
            return;
        }
        if (request?["messaging_product"]?.GetValue<string>() != "whatsapp")
        {
            await AnswerAsync(context, headers, body, 400, MetaError(100, "The parameter messaging_product is required.", "OAuthException"));
            return;
        }
        if (request["status"]?.GetValue<string>() == "read")
        {
            if (request["message_id"]?.GetValue<string>() is not { Length: > 0 })
            {
                await AnswerAsync(context, headers, body, 400, MetaError(100, "The parameter message_id is required.", "OAuthException"));
                return;
            }
            await AnswerAsync(context, headers, body, 200, """{"success":true}""");
            return;
        }
        var type = request["type"]?.GetValue<string>() ?? "text";
        var to = request["to"]?.GetValue<string>();
        if (to is null || (type == "text" && request["text"]?["body"]?.GetValue<string>() is not { Length: > 0 and <= 4096 }))
        {
            await AnswerAsync(context, headers, body, 400, MetaError(100, "Invalid parameter", "OAuthException",
                "text.body is required and at most 4096 characters; to is required."));
            return;
        }
        var wamid = NewWamid();
        headers["x-fake-wamid"] = wamid;
        await AnswerAsync(context, headers, body, 200, SentAnswer(to, wamid), SentOutcome);
    }

    private async Task MediaInfoAsync(HttpContext context, string mediaId)
    {
        var (headers, body) = await ReadAsync(context);
        if (await ScriptedAsync(context, headers, body, isSend: false) is { } handled && handled) return;
        if (!Authorized(headers))
        {
            await AnswerAsync(context, headers, body, 401, MetaError(190, "Invalid OAuth access token - Cannot parse access token", "OAuthException"));
            return;
        }
        if (!_media.TryGetValue(mediaId, out var media))
        {
            await AnswerAsync(context, headers, body, 400, MetaError(100,
                $"Unsupported get request. Object with ID '{mediaId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
                "GraphMethodException", subcode: 33));
            return;
        }
        var answer = new JsonObject
        {
            ["url"] = new Uri(BaseAddress, $"media-download/{Uri.EscapeDataString(mediaId)}?ext=1&hash=fake").ToString(),
            ["mime_type"] = media.MimeType,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(media.Data)),
            ["file_size"] = media.Data.Length,
            ["id"] = mediaId,
            ["messaging_product"] = "whatsapp",
        };
        await AnswerAsync(context, headers, body, 200, answer.ToJsonString());
    }

    private async Task MediaDownloadAsync(HttpContext context, string mediaId)
    {
        var (headers, body) = await ReadAsync(context);
        if (await ScriptedAsync(context, headers, body, isSend: false) is { } handled && handled) return;
        // Meta's media URL needs the bearer token too; without it, it answers 401 (an HTML page, not JSON).
        if (!Authorized(headers))
        {
            headers[OutcomeHeader] = "401";
            _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
            context.Response.StatusCode = 401;
            return;
        }
        if (!_media.TryGetValue(mediaId, out var media))
        {
            headers[OutcomeHeader] = "404";
            _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
            context.Response.StatusCode = 404;
            return;
        }
        headers[OutcomeHeader] = "200";
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
        context.Response.StatusCode = 200;
        context.Response.ContentType = media.MimeType;
        context.Response.ContentLength = media.Data.Length;
        await context.Response.Body.WriteAsync(media.Data);
    }

    // ---- helpers ----

    /// <summary>Applies the next scripted behaviour, if one is due: true when the call was handled (answered, dropped).</summary>
    private async Task<bool?> ScriptedAsync(HttpContext context, Dictionary<string, string> headers, string body, bool isSend)
    {
        Scripted next;
        lock (_scripted)
        {
            if (!_scripted.TryPeek(out next!)) return null;
            // Scripted for the next message send: a read receipt or a media call before it is answered as usual.
            if (next.SendsOnly && !isSend) return null;
            _scripted.TryDequeue(out _);
        }
        var path = context.Request.Path.Value ?? "";
        switch (next.Kind)
        {
            case ScriptedKind.Error:
                await AnswerAsync(context, headers, body, next.Status, next.Body);
                return true;
            case ScriptedKind.DropBeforeSending:
                headers[OutcomeHeader] = "dropped";
                _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
                context.Abort();
                return true;
            case ScriptedKind.SendThenDrop:
                headers[OutcomeHeader] = SentThenDroppedOutcome;
                headers["x-fake-wamid"] = NewWamid();
                _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
                await context.Response.Body.FlushAsync();
                context.Abort();
                return true;
            case ScriptedKind.Hold:
                var wamid = NewWamid();
                headers["x-fake-wamid"] = wamid;
                headers[OutcomeHeader] = SentOutcome;
                _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
                try
                {
                    await next.Release!.WaitAsync(context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return true;
                }
                var to = JsonNode.Parse(body)?["to"]?.GetValue<string>() ?? "";
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(SentAnswer(to, wamid));
                return true;
            default:
                return null;
        }
    }

    private bool Authorized(Dictionary<string, string> headers) =>
        RequiredAccessToken is not { } token || headers.GetValueOrDefault("authorization") == "Bearer " + token;

    private static async Task<(Dictionary<string, string> Headers, string Body)> ReadAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        return (context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), body);
    }

    private Task AnswerAsync(HttpContext context, int status, string answer) =>
        AnswerAsync(context, new Dictionary<string, string>(), "", status, answer);

    private async Task AnswerAsync(HttpContext context, Dictionary<string, string> headers, string body, int status, string answer, string? outcome = null)
    {
        headers[OutcomeHeader] = outcome ?? status.ToString(CultureInfo.InvariantCulture);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    private static string SentAnswer(string to, string wamid) => new JsonObject
    {
        ["messaging_product"] = "whatsapp",
        ["contacts"] = new JsonArray(new JsonObject { ["input"] = to, ["wa_id"] = to.TrimStart('+') }),
        ["messages"] = new JsonArray(new JsonObject { ["id"] = wamid }),
    }.ToJsonString();

    /// <summary>An error in Meta's shape: <c>{"error":{"message","type","code","error_data":{"messaging_product","details"},"error_subcode"?,"fbtrace_id"}}</c>.</summary>
    public static string MetaError(int code, string message, string type = "OAuthException", string? details = null, int? subcode = null)
    {
        var error = new JsonObject
        {
            ["message"] = message,
            ["type"] = type,
            ["code"] = code,
            ["error_data"] = new JsonObject { ["messaging_product"] = "whatsapp", ["details"] = details ?? message },
            ["fbtrace_id"] = "A" + Guid.NewGuid().ToString("N")[..22],
        };
        if (subcode is { } s) error["error_subcode"] = s;
        return new JsonObject { ["error"] = error }.ToJsonString();
    }

    /// <summary>Meta's titles of the codes the tests script.</summary>
    public static string TitleOf(int code) => code switch
    {
        100 => "Invalid parameter",
        190 => "Invalid OAuth access token",
        368 => "Temporarily blocked for policies violations",
        130429 => "Rate limit hit",
        131008 => "Required parameter is missing",
        131009 => "Parameter value is not valid",
        131026 => "Message undeliverable",
        131047 => "Re-engagement message",
        131056 => "(Business Account, Consumer Account) pair rate limit hit",
        _ => "Error",
    };

    private static string NewWamid() =>
        "wamid.HBgL" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');

    private static bool IsReadOrTyping(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["status"]?.GetValue<string>() == "read";
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private static bool IsMessageSend(RecordedRequest r) =>
        r.Method == "POST" && r.Path.EndsWith("/messages", StringComparison.Ordinal) && !IsReadOrTyping(r.Body);

    private static string? Field(RecordedRequest r, string name)
    {
        try
        {
            return JsonNode.Parse(r.Body)?[name]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return null;
        }
    }

    private enum ScriptedKind { Error, DropBeforeSending, SendThenDrop, Hold }

    private sealed record Scripted(ScriptedKind Kind, int Status, string Body, Task? Release = null, bool SendsOnly = true);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
