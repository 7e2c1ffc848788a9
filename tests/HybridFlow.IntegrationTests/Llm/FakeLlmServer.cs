using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HybridFlow.IntegrationTests.Llm;

/// <summary>One HTTP request as the fake server received it. Header names are lower-case.</summary>
public sealed record RecordedRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>When the fake received it (before any delay).</summary>
    public DateTimeOffset ReceivedAt { get; init; } = DateTimeOffset.UtcNow;

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

/// <summary>A scripted answer; <paramref name="Headers"/> are added to it (e.g. Retry-After).</summary>
public sealed record FakeResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A real Kestrel server on 127.0.0.1 with a random port that speaks just enough of the OpenAI chat-completions
/// (<c>POST …/chat/completions</c>) and Anthropic Messages (<c>POST …/v1/messages</c>) APIs for the SDKs to parse,
/// and records every request so tests can check what the SDKs actually put on the wire.
/// </summary>
public sealed class FakeLlmServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private int _inFlight;
    private int _peakConcurrency;

    private FakeLlmServer(WebApplication app) => _app = app;

    /// <summary>Root of the server, e.g. <c>http://127.0.0.1:54321/</c> (what ANTHROPIC_BASE_URL takes).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The OpenAI-style base URL with the <c>/v1</c> segment (what OPENAI_BASE_URL takes, like Ollama's).</summary>
    public Uri OpenAiBaseUrl => new(BaseAddress, "v1");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    /// <summary>The most requests the server was handling at the same time since the start (or the last reset).</summary>
    public int PeakConcurrency => Volatile.Read(ref _peakConcurrency);

    /// <summary>Text the fake model answers with (OpenAI content, or the single Anthropic text block).</summary>
    public string ReplyText { get; set; } = "Hello from the fake model";

    /// <summary>When not 200, the server answers with this status and an error body in the provider's shape.</summary>
    public int StatusCode { get; set; } = StatusCodes.Status200OK;

    /// <summary>How long the server waits before answering, to provoke client timeouts.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>Overrides every other setting when set: full control over the answer.</summary>
    public Func<RecordedRequest, FakeResponse>? Responder { get; set; }

    public static async Task<FakeLlmServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Testing",
        });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();

        var app = builder.Build();
        var server = new FakeLlmServer(app);
        app.Run(server.HandleAsync);

        await app.StartAsync();
        server.BaseAddress = new Uri(app.Urls.Single().TrimEnd('/') + "/");
        return server;
    }

    public void Reset()
    {
        _requests.Clear();
        ReplyText = "Hello from the fake model";
        StatusCode = StatusCodes.Status200OK;
        Delay = TimeSpan.Zero;
        Responder = null;
        Volatile.Write(ref _peakConcurrency, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static string OpenAiCompletionJson(string model, string? content) => JsonSerializer.Serialize(new
    {
        id = "chatcmpl-fake",
        @object = "chat.completion",
        created = 1_700_000_000,
        model,
        choices = new[]
        {
            new
            {
                index = 0,
                message = new { role = "assistant", content, refusal = (string?)null },
                logprobs = (object?)null,
                finish_reason = "stop",
            },
        },
        usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
    });

    public static string OpenAiErrorJson(int status) => JsonSerializer.Serialize(new
    {
        error = new
        {
            message = $"fake error {status}",
            type = status == 401 ? "invalid_request_error" : "server_error",
            param = (string?)null,
            code = status == 401 ? "invalid_api_key" : null,
        },
    });

    public static string AnthropicMessageJson(string model, params string[] textBlocks) => JsonSerializer.Serialize(new
    {
        id = "msg_fake",
        type = "message",
        role = "assistant",
        model,
        content = textBlocks.Select(text => new { type = "text", text }).ToArray(),
        stop_reason = "end_turn",
        stop_sequence = (string?)null,
        usage = new { input_tokens = 10, output_tokens = 5 },
    });

    public static string AnthropicErrorJson(int status) => JsonSerializer.Serialize(new
    {
        type = "error",
        error = new
        {
            type = status switch
            {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                _ => "api_error",
            },
            message = $"fake error {status}",
        },
        request_id = "req_fake",
    });

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        var request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body);
        _requests.Enqueue(request);
        var inFlight = Interlocked.Increment(ref _inFlight);
        try
        {
            for (var peak = Volatile.Read(ref _peakConcurrency); inFlight > peak; peak = Volatile.Read(ref _peakConcurrency))
            {
                if (Interlocked.CompareExchange(ref _peakConcurrency, inFlight, peak) == peak) break;
            }

            if (Delay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(Delay, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            var response = Responder?.Invoke(request) ?? DefaultResponse(request);
            context.Response.StatusCode = response.StatusCode;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>()) context.Response.Headers[name] = value;
            if (response.StatusCode == StatusCodes.Status429TooManyRequests && !context.Response.Headers.ContainsKey("Retry-After"))
            {
                // Keeps any SDK that still retries from sleeping long in tests.
                context.Response.Headers.RetryAfter = "0";
            }

            await context.Response.WriteAsync(response.Body, context.RequestAborted);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private FakeResponse DefaultResponse(RecordedRequest request)
    {
        var isOpenAi = request.Path.EndsWith("/chat/completions", StringComparison.Ordinal);
        var isAnthropic = request.Path.EndsWith("/messages", StringComparison.Ordinal);
        if (!isOpenAi && !isAnthropic)
        {
            return new FakeResponse(StatusCodes.Status404NotFound, """{"error":"no such route"}""");
        }

        if (StatusCode != StatusCodes.Status200OK)
        {
            return new FakeResponse(StatusCode, isOpenAi ? OpenAiErrorJson(StatusCode) : AnthropicErrorJson(StatusCode));
        }

        var model = TryGetModel(request) ?? "unknown";
        return new FakeResponse(
            StatusCodes.Status200OK,
            isOpenAi ? OpenAiCompletionJson(model, ReplyText) : AnthropicMessageJson(model, ReplyText));
    }

    private static string? TryGetModel(RecordedRequest request)
    {
        try
        {
            return request.Json.TryGetProperty("model", out var model) ? model.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
