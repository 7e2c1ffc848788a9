using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Infrastructure.Realtime;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.Options;

namespace HybridFlow.Api.Realtime;

/// <summary>
/// Writes GET /api/inbox/events as <c>text/event-stream</c>: <c>id</c>, <c>event</c> and one <c>data</c> line of JSON
/// per event, and a <c>: keep-alive</c> comment every INBOX_KEEPALIVE_SECONDS. The framing is written here rather than
/// by TypedResults.ServerSentEvents because an <see cref="System.Net.ServerSentEvents.SseItem{T}"/> cannot be a comment.
/// The stream ends when the client goes away (quietly: not an error), the feed drops a client that stopped reading, or its
/// caller is no longer allowed in: every AUTH_REVALIDATE_SECONDS the key or login is checked again (revoked key, user
/// deleted, locked or given another role), and the browser's reconnect then gets 401.
/// </summary>
public sealed class InboxEventStreamResult : IResult
{
    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();
    /// <summary>AUTH_REVALIDATE_SECONDS=0 checks every request; a stream is then checked every second.</summary>
    private static readonly TimeSpan ShortestRevalidation = TimeSpan.FromSeconds(1);
    private readonly IAsyncEnumerable<InboxEventDto> _events;

    public InboxEventStreamResult(IAsyncEnumerable<InboxEventDto> events) => _events = events;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var services = httpContext.RequestServices;
        var options = services.GetRequiredService<InboxStreamOptions>();
        var keepAlive = options.KeepAlive;
        var revalidateEvery = options.Revalidate < ShortestRevalidation ? ShortestRevalidation : options.Revalidate;
        var json = new JsonSerializerOptions(services.GetRequiredService<IOptions<Microsoft.AspNetCore.Mvc.JsonOptions>>().Value.JsonSerializerOptions)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };

        var response = httpContext.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        // An endless response: no request timeout applies to it, and nothing may buffer it.
        httpContext.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var aborted = httpContext.RequestAborted;
        // Ends with the client, or when the host shuts down: an endless request would otherwise hold the shutdown for its
        // whole timeout. The browser reconnects (to another replica) and catches up with Last-Event-ID.
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, stopping);
        var events = _events.GetAsyncEnumerator(stop.Token);
        Task<bool>? next = null;
        try
        {
            await response.StartAsync(stop.Token);
            await response.Body.FlushAsync(stop.Token);
            next = events.MoveNextAsync().AsTask();
            var tick = Task.Delay(keepAlive, stop.Token);
            var recheck = Task.Delay(revalidateEvery, stop.Token);
            while (true)
            {
                var done = await Task.WhenAny(next, tick, recheck);
                if (done == recheck)
                {
                    await recheck;
                    if (!await StillAllowedAsync(httpContext, stop.Token)) break;
                    recheck = Task.Delay(revalidateEvery, stop.Token);
                    continue;
                }
                if (done == tick)
                {
                    await tick;
                    await response.Body.WriteAsync(KeepAliveComment, stop.Token);
                    await response.Body.FlushAsync(stop.Token);
                    tick = Task.Delay(keepAlive, stop.Token);
                    continue;
                }
                if (!await next) break;
                await response.Body.WriteAsync(Frame(events.Current, json), stop.Token);
                await response.Body.FlushAsync(stop.Token);
                next = events.MoveNextAsync().AsTask();
            }
        }
        catch (Exception e) when (stop.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            // The client went away, or the host is stopping: not an error.
        }
        finally
        {
            await stop.CancelAsync();
            if (next is not null)
            {
                try
                {
                    await next;
                }
                catch (OperationCanceledException)
                {
                }
            }
            await events.DisposeAsync();
        }
    }

    /// <summary>Fails closed: a check that cannot be made (database down) ends the stream; the reconnect is checked again.</summary>
    private static async Task<bool> StillAllowedAsync(HttpContext context, CancellationToken ct)
    {
        try
        {
            return await Security.PrincipalRevalidation.IsStillValidAsync(context, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.RequestServices.GetRequiredService<ILogger<InboxEventStreamResult>>()
                .LogWarning("An inbox event stream could not check its caller again ({Error}) and was closed", e.GetType().Name);
            return false;
        }
    }

    private static byte[] Frame(InboxEventDto e, JsonSerializerOptions json)
    {
        var id = e.Id.ToString(CultureInfo.InvariantCulture);
        // Compact JSON has no line breaks, so one data line carries it.
        return Encoding.UTF8.GetBytes($"id: {id}\nevent: {e.Type}\ndata: {JsonSerializer.Serialize(e, json)}\n\n");
    }
}
