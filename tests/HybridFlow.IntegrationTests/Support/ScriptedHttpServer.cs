using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Support;

/// <summary>One request a <see cref="ScriptedHttpServer"/> received; <see cref="Target"/> is the request line's target (absolute through a proxy).</summary>
public sealed record ScriptedRequest(string Method, string Host, string Target, string Body);

/// <summary>
/// A real Kestrel server on any loopback address (127.0.0.2 plays a "public" server the tests allow with
/// OUTBOUND_ALLOW_ADDRESSES) that answers every request with <see cref="Answer"/> and records what it got.
/// </summary>
public sealed class ScriptedHttpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedRequest> _requests = new();

    private ScriptedHttpServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public IReadOnlyList<ScriptedRequest> Requests => [.. _requests];

    /// <summary>How every request is answered (default: 200 <c>{}</c>).</summary>
    public Func<HttpContext, Task> Answer { get; set; } = context => Json(context, 200, "{}");

    public static async Task<ScriptedHttpServer> StartAsync(string address = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Testing" });
        builder.WebHost.UseUrls($"http://{address}:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new ScriptedHttpServer(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>();
            server._requests.Enqueue(new ScriptedRequest(context.Request.Method, context.Request.Host.Value ?? "", feature?.RawTarget ?? context.Request.Path, body));
            await server.Answer(context);
        });
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    public static Task Json(HttpContext context, int status, string body, bool withLength = true)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        if (withLength) context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        return context.Response.WriteAsync(body);
    }

    /// <summary>Answers <paramref name="status"/> with <c>Location: <paramref name="location"/></c>.</summary>
    public static Task Redirect(HttpContext context, string location, int status = 307)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
