using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using HybridFlow.IntegrationTests.Llm;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that answers Evolution's POST /message/sendText/{instance} the way
/// Evolution 2.3 does (201 with the send.message object), records every call, and can fail or fire the echo first.
/// </summary>
public sealed class FakeEvolutionServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _scriptedFailures = new();

    private FakeEvolutionServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Every sendText call, failed ones included.</summary>
    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The sendText calls that were answered 201.</summary>
    public IReadOnlyList<RecordedRequest> SuccessfulSends => [.. _requests.Where(r => r.Header("x-fake-outcome") == "201")];

    /// <summary>Runs after a message is accepted but before the HTTP answer, like Evolution firing send.message first.</summary>
    public Func<string, string, string, Task>? BeforeAnswer { get; set; }

    /// <summary>How long a send waits before it is answered (to provoke the client's timeout).</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Starts on a random port, or on <paramref name="port"/> (to bring a "down" Evolution back where it was).</summary>
    public static async Task<FakeEvolutionServer> StartAsync(int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
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

    public void Reset()
    {
        _requests.Clear();
        _scriptedFailures.Clear();
        BeforeAnswer = null;
        Delay = TimeSpan.Zero;
    }

    public IReadOnlyList<RecordedRequest> SendsTo(string chatId)
    {
        var number = chatId.Split('@')[0];
        return [.. SuccessfulSends.Where(r => r.Json.GetProperty("number").GetString() is { } n && (n == number || n == chatId))];
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var path = context.Request.Path.Value ?? "";

        if (_scriptedFailures.TryDequeue(out var failure))
        {
            headers["x-fake-outcome"] = failure.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _requests.Enqueue(new RecordedRequest(context.Request.Method, path, headers, body));
            context.Response.StatusCode = failure.Status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(failure.Body);
            return;
        }

        var request = JsonNode.Parse(body)!;
        var number = request["number"]!.GetValue<string>();
        var text = request["text"]!.GetValue<string>();
        var remoteJid = number.Contains('@', StringComparison.Ordinal) ? number : number + "@s.whatsapp.net";
        var keyId = "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant();

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
            messageTimestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            instanceId = "5f8a3c2e-1b4d-4e7a-9c1f-2a3b4c5d6e7f",
            source = "web",
        };
        context.Response.StatusCode = 201;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(answer));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
