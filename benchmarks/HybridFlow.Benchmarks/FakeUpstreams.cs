using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Benchmarks;

/// <summary>
/// One Kestrel server on 127.0.0.1 that plays both upstreams and answers at once: an OpenAI-compatible model
/// (<c>POST /v1/chat/completions</c>, what the API's OPENAI_BASE_URL points at) and Evolution
/// (<c>POST /message/sendText/{instance}</c>, each benchmark instance's evo_server_url). It notes when each chat's
/// first sendText arrived, and how many arrived, so the benchmark can time replies and spot double sends.
/// The model answers at once unless <see cref="ModelDelay"/> is set (the burst section plays a model that thinks).
/// </summary>
public sealed class FakeUpstreams : IAsyncDisposable
{
    private static readonly byte[] Completion = JsonSerializer.SerializeToUtf8Bytes(new
    {
        id = "chatcmpl-bench",
        @object = "chat.completion",
        created = 1_700_000_000,
        model = "gpt-bench",
        choices = new[]
        {
            new
            {
                index = 0,
                message = new { role = "assistant", content = "Olá! Abrimos amanhã das 7h às 19h.", refusal = (string?)null },
                logprobs = (object?)null,
                finish_reason = "stop",
            },
        },
        usage = new { prompt_tokens = 10, completion_tokens = 12, total_tokens = 22 },
    });

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, SendRecord> _sends = new(StringComparer.Ordinal);
    private long _modelCalls;
    private long _otherCalls;
    private long _modelDelayTicks;
    private int _modelCallsInFlight;
    private int _peakModelCallsInFlight;
    private readonly ConcurrentDictionary<string, ModelCall> _modelCallsByCorrelation = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _modelConnections = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _evolutionConnections = new(StringComparer.Ordinal);

    private FakeUpstreams(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;
    public long ModelCalls => Interlocked.Read(ref _modelCalls);
    public long UnexpectedCalls => Interlocked.Read(ref _otherCalls);

    /// <summary>How long the fake model takes to answer each request (zero: at once).</summary>
    public TimeSpan ModelDelay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _modelDelayTicks));
        set => Interlocked.Exchange(ref _modelDelayTicks, value.Ticks);
    }

    /// <summary>The most model requests open at the same time since the last <see cref="ResetPeakModelCalls"/>.</summary>
    public int PeakModelCallsInFlight => Volatile.Read(ref _peakModelCallsInFlight);

    public void ResetPeakModelCalls() => Volatile.Write(ref _peakModelCallsInFlight, Volatile.Read(ref _modelCallsInFlight));

    public static async Task<FakeUpstreams> StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, EnvironmentName = "Production" });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Logging.ClearProviders();
        // No console lifetime: it would swallow SIGTERM/SIGINT (stopping only this server) and keep the benchmark running.
        builder.Services.AddSingleton<IHostLifetime, NoSignalLifetime>();
        var app = builder.Build();
        var server = new FakeUpstreams(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    /// <summary>When the first sendText for this number arrived (Stopwatch timestamp), and how many arrived.</summary>
    public bool TryGetSend(string number, out SendRecord record) => _sends.TryGetValue(number, out record!);

    public int DistinctChatsSentTo => _sends.Count;

    /// <summary>When a model request with this X-Correlation-Id arrived and was answered (Stopwatch timestamps).</summary>
    public sealed record ModelCall(long Arrived, long Answered);

    public bool TryGetModelCall(string correlationId, out ModelCall call) => _modelCallsByCorrelation.TryGetValue(correlationId, out call!);

    /// <summary>Distinct TCP connections the API used for the model and for Evolution since <see cref="ResetConnections"/>.</summary>
    public (int Model, int Evolution) ConnectionsSeen => (_modelConnections.Count, _evolutionConnections.Count);

    public void ResetConnections()
    {
        _modelConnections.Clear();
        _evolutionConnections.Clear();
    }

    public sealed class SendRecord(long firstTimestamp)
    {
        private readonly ConcurrentQueue<long> _arrivals = new([firstTimestamp]);
        public long FirstTimestamp { get; } = firstTimestamp;
        public int Count => _arrivals.Count;

        /// <summary>Every sendText for this number, Stopwatch timestamps in arrival order.</summary>
        public IReadOnlyList<long> Arrivals => [.. _arrivals];

        public void Again(long timestamp) => _arrivals.Enqueue(timestamp);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        var path = context.Request.Path.Value ?? "";
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            Interlocked.Increment(ref _otherCalls);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
        {
            await DrainAsync(context);
            _modelConnections.TryAdd(context.Connection.Id, 0);
            Interlocked.Increment(ref _modelCalls);
            var inFlight = Interlocked.Increment(ref _modelCallsInFlight);
            try
            {
                int peak;
                while (inFlight > (peak = Volatile.Read(ref _peakModelCallsInFlight))
                       && Interlocked.CompareExchange(ref _peakModelCallsInFlight, inFlight, peak) != peak)
                {
                }
                if (ModelDelay is { Ticks: > 0 } delay) await Task.Delay(delay, context.RequestAborted);
            }
            finally
            {
                Interlocked.Decrement(ref _modelCallsInFlight);
            }
            if (context.Request.Headers["X-Correlation-Id"].ToString() is { Length: > 0 } correlation)
                _modelCallsByCorrelation[correlation] = new ModelCall(arrived, Stopwatch.GetTimestamp());
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = Completion.Length;
            await context.Response.Body.WriteAsync(Completion);
            return;
        }

        if (path.StartsWith("/message/sendText/", StringComparison.Ordinal))
        {
            _evolutionConnections.TryAdd(context.Connection.Id, 0);
            using var document = await JsonDocument.ParseAsync(context.Request.Body);
            var number = document.RootElement.TryGetProperty("number", out var n) ? n.GetString() ?? "" : "";
            var text = document.RootElement.TryGetProperty("text", out var t) ? t.GetString() ?? "" : "";
            var bare = number.Split('@')[0];
            _sends.AddOrUpdate(bare, _ => new SendRecord(arrived), (_, existing) =>
            {
                existing.Again(arrived);
                return existing;
            });

            // Evolution 2.3 answers 201 with the send.message object.
            var answer = JsonSerializer.SerializeToUtf8Bytes(new
            {
                key = new { remoteJid = bare + "@s.whatsapp.net", fromMe = true, id = "3EB0" + Guid.NewGuid().ToString("N")[..18].ToUpperInvariant() },
                pushName = "Você",
                status = "PENDING",
                message = new { conversation = text },
                messageType = "conversation",
                messageTimestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                instanceId = "5f8a3c2e-1b4d-4e7a-9c1f-2a3b4c5d6e7f",
                source = "web",
            });
            context.Response.StatusCode = StatusCodes.Status201Created;
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer);
            return;
        }

        Interlocked.Increment(ref _otherCalls);
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes("""{"error":"no such route"}"""));
    }

    private static async Task DrainAsync(HttpContext context)
    {
        var buffer = new byte[8192];
        while (await context.Request.Body.ReadAsync(buffer) > 0)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A host lifetime that leaves process signals alone, so SIGTERM ends the benchmark as it would any console program.</summary>
internal sealed class NoSignalLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
