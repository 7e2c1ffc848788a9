using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>One POST the workflow received, with what the receiver concluded about its signature.</summary>
public sealed record WorkflowCall(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int AnsweredStatus, string? SignatureProblem)
{
    public bool SignatureValid => SignatureProblem is null;

    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;
}

/// <summary>How the next POST is answered: a status, optionally after a delay (longer than the dispatcher's timeout to simulate a hang).</summary>
public sealed record WorkflowAnswer(int Status, TimeSpan Delay = default);

/// <summary>
/// A workflow endpoint (what an n8n Webhook node is) on a real Kestrel server on 127.0.0.1. Each hook path has its own
/// signing secret; the server checks every POST the way a receiver should — <c>X-HybridFlow-Signature</c> is
/// <c>sha256=</c> HMAC-SHA256 over <c>timestamp + "." + raw body</c>, the timestamp is recent, a delivery id is present —
/// answers 401 when that fails, and records everything.
/// </summary>
public sealed class FakeWorkflowServer : IAsyncDisposable
{
    public static readonly TimeSpan TimestampTolerance = TimeSpan.FromMinutes(5);

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<WorkflowCall> _calls = new();
    private readonly ConcurrentQueue<WorkflowAnswer> _script = new();
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    private FakeWorkflowServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<WorkflowCall> Calls => [.. _calls];

    public static async Task<FakeWorkflowServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FakeWorkflowServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>A new hook URL whose POSTs must be signed with <paramref name="secret"/>.</summary>
    public string NewHook(string secret)
    {
        var path = "/webhook/" + Guid.NewGuid().ToString("N")[..12];
        _secrets[path] = secret;
        return new Uri(BaseAddress, path).ToString();
    }

    /// <summary>The next POSTs are answered like this, in order; after that, 200.</summary>
    public void AnswerNext(params WorkflowAnswer[] answers)
    {
        foreach (var a in answers) _script.Enqueue(a);
    }

    /// <summary>The POSTs whose event is about <paramref name="chatId"/>.</summary>
    public IReadOnlyList<WorkflowCall> CallsFor(string chatId) =>
        [.. _calls.Where(c => c.Body.Contains(chatId, StringComparison.Ordinal) && c.Json.GetProperty("chat_id").GetString() == chatId)];

    private async Task HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var raw = buffer.ToArray();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = context.Request.Path.Value ?? "";

        var problem = Verify(path, headers, raw);
        var answer = problem is not null ? new WorkflowAnswer(401) : _script.TryDequeue(out var scripted) ? scripted : new WorkflowAnswer(200);
        _calls.Enqueue(new WorkflowCall(path, headers, Encoding.UTF8.GetString(raw), answer.Status, problem));

        if (answer.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(answer.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        context.Response.StatusCode = answer.Status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.Status is >= 200 and < 300 ? """{"ok":true}""" : $$"""{"error":"status {{answer.Status}}"}""");
    }

    private string? Verify(string path, IReadOnlyDictionary<string, string> headers, byte[] body)
    {
        if (!_secrets.TryGetValue(path, out var secret)) return "unknown hook path";
        if (!headers.TryGetValue("x-hybridflow-timestamp", out var timestamp)
            || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var unix))
            return "missing or malformed X-HybridFlow-Timestamp";
        if ((DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(unix)).Duration() > TimestampTolerance)
            return "stale X-HybridFlow-Timestamp";
        if (!headers.TryGetValue("x-hybridflow-delivery", out var delivery) || delivery.Length == 0)
            return "missing X-HybridFlow-Delivery";
        if (!headers.TryGetValue("x-hybridflow-signature", out var signature) || !signature.StartsWith("sha256=", StringComparison.Ordinal))
            return "missing or malformed X-HybridFlow-Signature";

        var signed = Encoding.UTF8.GetBytes(timestamp + ".").Concat(body).ToArray();
        var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        byte[] presented;
        try
        {
            presented = Convert.FromHexString(signature["sha256=".Length..]);
        }
        catch (FormatException)
        {
            return "signature is not hex";
        }
        return CryptographicOperations.FixedTimeEquals(expected, presented) ? null : "signature mismatch";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
