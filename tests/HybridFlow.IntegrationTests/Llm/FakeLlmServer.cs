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

    /// <summary>Form fields of a multipart request (the transcription upload), e.g. <c>model</c>; files are in <see cref="Files"/>.</summary>
    public IReadOnlyDictionary<string, string> Form { get; init; } = new Dictionary<string, string>();

    /// <summary>Files of a multipart request: field name, file name, content type and bytes.</summary>
    public IReadOnlyList<RecordedFile> Files { get; init; } = [];

    /// <summary>The key the client sent: the bearer token, else x-api-key.</summary>
    public string? ApiKey =>
        Header("authorization") is { } authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization["Bearer ".Length..]
            : Header("x-api-key");

    /// <summary>Names of the tools offered (OpenAI <c>tools[].function.name</c>, Anthropic <c>tools[].name</c>).</summary>
    public IReadOnlyList<string> ToolNames
    {
        get
        {
            if (!TryJson(out var json) || !json.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array) return [];
            return [.. tools.EnumerateArray()
                .Select(tool => tool.TryGetProperty("function", out var function) ? function : tool)
                .Select(tool => tool.TryGetProperty("name", out var name) ? name.GetString() ?? "" : "")];
        }
    }

    /// <summary>The definition of one offered tool (OpenAI: its <c>function</c> object; Anthropic: the tool itself).</summary>
    public JsonElement? Tool(string name)
    {
        if (!TryJson(out var json) || !json.TryGetProperty("tools", out var tools) || tools.ValueKind != JsonValueKind.Array) return null;
        foreach (var tool in tools.EnumerateArray())
        {
            var definition = tool.TryGetProperty("function", out var function) ? function : tool;
            if (definition.TryGetProperty("name", out var toolName) && toolName.GetString() == name) return definition;
        }

        return null;
    }

    /// <summary>The request's <c>tool_choice</c>, as raw JSON, when sent.</summary>
    public string? ToolChoice => TryJson(out var json) && json.TryGetProperty("tool_choice", out var choice) ? choice.GetRawText() : null;

    /// <summary>Every image part of every message: OpenAI <c>image_url</c> data URLs and Anthropic base64 image blocks.</summary>
    public IReadOnlyList<RecordedImage> Images
    {
        get
        {
            var images = new List<RecordedImage>();
            if (!TryJson(out var json) || !json.TryGetProperty("messages", out var messages)) return images;
            foreach (var message in messages.EnumerateArray())
            {
                if (!message.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array) continue;
                var role = message.TryGetProperty("role", out var r) ? r.GetString() ?? "" : "";
                var texts = content.EnumerateArray()
                    .Where(part => part.TryGetProperty("type", out var type) && type.GetString() == "text")
                    .Select(part => part.GetProperty("text").GetString() ?? "")
                    .ToList();
                foreach (var part in content.EnumerateArray())
                {
                    var type = part.TryGetProperty("type", out var t) ? t.GetString() : null;
                    if (type == "image_url")
                    {
                        var url = part.GetProperty("image_url").GetProperty("url").GetString() ?? "";
                        var comma = url.IndexOf(',', StringComparison.Ordinal);
                        var mime = url.StartsWith("data:", StringComparison.Ordinal) && comma > 0 ? url[5..url.IndexOf(';', StringComparison.Ordinal)] : "";
                        images.Add(new RecordedImage(role, mime, comma > 0 ? Convert.FromBase64String(url[(comma + 1)..]) : [], texts));
                    }
                    else if (type == "image" && part.GetProperty("source") is var source && source.GetProperty("type").GetString() == "base64")
                    {
                        images.Add(new RecordedImage(
                            role, source.GetProperty("media_type").GetString() ?? "", Convert.FromBase64String(source.GetProperty("data").GetString() ?? ""), texts));
                    }
                }
            }

            return images;
        }
    }

    /// <summary>Anthropic: the <c>cache_control</c> type of each system text block (null for a block without it; empty when <c>system</c> is a plain string).</summary>
    public IReadOnlyList<string?> SystemCacheControl
    {
        get
        {
            if (!TryJson(out var json) || !json.TryGetProperty("system", out var system) || system.ValueKind != JsonValueKind.Array) return [];
            return [.. system.EnumerateArray().Select(block =>
                block.TryGetProperty("cache_control", out var cache) && cache.ValueKind == JsonValueKind.Object
                    ? cache.GetProperty("type").GetString()
                    : null)];
        }
    }

    private bool TryJson(out JsonElement json)
    {
        json = default;
        if (string.IsNullOrEmpty(Body) || Form.Count > 0 || Files.Count > 0) return false;
        try
        {
            json = Json;
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}

/// <summary>An uploaded file of a multipart request.</summary>
public sealed record RecordedFile(string FieldName, string FileName, string? ContentType, byte[] Data);

/// <summary>An image part as the fake received it, with the texts sent next to it in the same message.</summary>
public sealed record RecordedImage(string Role, string MimeType, byte[] Data, IReadOnlyList<string> TextsBeside);

/// <summary>
/// Token numbers the fake reports, in each provider's own wire terms: OpenAI <c>prompt_tokens</c> (cached included) /
/// Anthropic <c>input_tokens</c> (cache reads and writes NOT included) = <paramref name="InputTokens"/>;
/// <paramref name="CachedTokens"/> = OpenAI <c>prompt_tokens_details.cached_tokens</c> / Anthropic
/// <c>cache_read_input_tokens</c>; <paramref name="CacheCreationTokens"/> = Anthropic <c>cache_creation_input_tokens</c>.
/// </summary>
public sealed record FakeUsage(int InputTokens, int OutputTokens, int CachedTokens = 0, int CacheCreationTokens = 0)
{
    public static readonly FakeUsage Default = new(10, 5);
}

/// <summary>A scripted answer; <paramref name="Headers"/> are added to it (e.g. Retry-After).</summary>
public sealed record FakeResponse(int StatusCode, string Body, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>
/// A real Kestrel server on 127.0.0.1 with a random port that speaks just enough of the OpenAI chat-completions
/// (<c>POST …/chat/completions</c>), OpenAI transcription (<c>POST …/audio/transcriptions</c>, multipart) and
/// Anthropic Messages (<c>POST …/v1/messages</c>) APIs for the SDKs to parse, and records every request (key header,
/// tools offered, image parts, cache_control, form fields) so tests can check what the SDKs actually put on the wire.
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

    /// <summary>
    /// When set, the model answers with a <c>request_human</c> tool call with this reason (OpenAI <c>tool_calls</c>,
    /// Anthropic <c>tool_use</c>), plus <see cref="HandoffText"/> as text when that is set.
    /// </summary>
    public string? HandoffReason { get; set; }

    /// <summary>Raw tool arguments instead of <c>{"reason": HandoffReason}</c>, e.g. malformed JSON (Anthropic gets <c>{}</c> when it does not parse to an object).</summary>
    public string? HandoffArgumentsJson { get; set; }

    /// <summary>Text the model says next to its <c>request_human</c> call; null: none.</summary>
    public string? HandoffText { get; set; }

    /// <summary>The token numbers every answer reports.</summary>
    public FakeUsage Usage { get; set; } = FakeUsage.Default;

    /// <summary>What <c>POST …/audio/transcriptions</c> answers.</summary>
    public string TranscriptText { get; set; } = "Olá, vocês abrem amanhã?";

    /// <summary>The error message of a non-200 answer (e.g. OpenAI's "Incorrect API key provided: sk-ab***yz"); null: "fake error {status}".</summary>
    public string? ErrorMessage { get; set; }

    /// <summary>
    /// When set, a reply asked with fewer output tokens than this (OpenAI <c>max_completion_tokens</c>/<c>max_tokens</c>,
    /// Anthropic <c>max_tokens</c>) stops at the limit: <see cref="TruncatedText"/> with OpenAI <c>finish_reason: "length"</c> /
    /// Anthropic <c>stop_reason: "max_tokens"</c>. A reply with at least this many tokens is <see cref="ReplyText"/>, whole.
    /// </summary>
    public int? FitsInTokens { get; set; }

    /// <summary>What a reply cut at the token limit says (it ends mid-sentence).</summary>
    public string TruncatedText { get; set; } = "Abrimos às 7h. Fechamos às 19h. No domingo abrimos só de man";

    /// <summary>
    /// The account is out of credit, answered as each provider really does: OpenAI 429 <c>insufficient_quota</c>
    /// (type and code), Anthropic 400 <c>invalid_request_error</c> "Your credit balance is too low…".
    /// </summary>
    public bool AccountExhausted { get; set; }

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
        HandoffReason = null;
        HandoffArgumentsJson = null;
        HandoffText = null;
        Usage = FakeUsage.Default;
        TranscriptText = "Olá, vocês abrem amanhã?";
        ErrorMessage = null;
        FitsInTokens = null;
        TruncatedText = "Abrimos às 7h. Fechamos às 19h. No domingo abrimos só de man";
        AccountExhausted = false;
        Volatile.Write(ref _peakConcurrency, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public static string OpenAiCompletionJson(string model, string? content, FakeUsage? usage = null) =>
        OpenAiJson(model, content, toolArguments: null, usage ?? FakeUsage.Default);

    /// <summary>A chat completion whose message calls <c>request_human</c> with the given raw arguments.</summary>
    public static string OpenAiToolCallJson(string model, string? content, string argumentsJson, FakeUsage? usage = null) =>
        OpenAiJson(model, content, argumentsJson, usage ?? FakeUsage.Default);

    /// <summary>A chat completion stopped at the token limit (<c>finish_reason: "length"</c>).</summary>
    public static string OpenAiTruncatedJson(string model, string content, FakeUsage? usage = null) =>
        OpenAiJson(model, content, toolArguments: null, usage ?? FakeUsage.Default, finishReason: "length");

    /// <summary>OpenAI's answer for an account without credit: HTTP 429, type and code <c>insufficient_quota</c>.</summary>
    public static string OpenAiInsufficientQuotaJson() => JsonSerializer.Serialize(new
    {
        error = new
        {
            message = "You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
            type = "insufficient_quota",
            param = (string?)null,
            code = "insufficient_quota",
        },
    });

    /// <summary>Anthropic's answer for an account without credit: HTTP 400, <c>invalid_request_error</c>.</summary>
    public static string AnthropicCreditBalanceTooLowJson() => JsonSerializer.Serialize(new
    {
        type = "error",
        error = new
        {
            type = "invalid_request_error",
            message = "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.",
        },
        request_id = "req_fake",
    });

    private static string OpenAiJson(string model, string? content, string? toolArguments, FakeUsage usage, string? finishReason = null) => JsonSerializer.Serialize(new
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
                message = new
                {
                    role = "assistant",
                    content,
                    refusal = (string?)null,
                    tool_calls = toolArguments is null
                        ? null
                        : new[] { new { id = "call_fake", type = "function", function = new { name = "request_human", arguments = toolArguments } } },
                },
                logprobs = (object?)null,
                finish_reason = finishReason ?? (toolArguments is null ? "stop" : "tool_calls"),
            },
        },
        usage = new
        {
            prompt_tokens = usage.InputTokens,
            completion_tokens = usage.OutputTokens,
            total_tokens = usage.InputTokens + usage.OutputTokens,
            prompt_tokens_details = new { cached_tokens = usage.CachedTokens },
        },
    }, new JsonSerializerOptions { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull });

    public static string OpenAiErrorJson(int status, string? message = null) => JsonSerializer.Serialize(new
    {
        error = new
        {
            message = message ?? $"fake error {status}",
            type = status == 401 ? "invalid_request_error" : "server_error",
            param = (string?)null,
            code = status == 401 ? "invalid_api_key" : null,
        },
    });

    public static string AnthropicMessageJson(string model, params string[] textBlocks) =>
        AnthropicJson(model, textBlocks, toolInputJson: null, FakeUsage.Default);

    public static string AnthropicMessageJson(string model, FakeUsage usage, params string[] textBlocks) =>
        AnthropicJson(model, textBlocks, toolInputJson: null, usage);

    /// <summary>A message with the given text blocks and then a <c>tool_use</c> block calling <c>request_human</c> with this input object.</summary>
    public static string AnthropicToolUseJson(string model, string toolInputJson, FakeUsage? usage = null, params string[] textBlocks) =>
        AnthropicJson(model, textBlocks, toolInputJson, usage ?? FakeUsage.Default);

    /// <summary>A message stopped at the token limit (<c>stop_reason: "max_tokens"</c>).</summary>
    public static string AnthropicTruncatedJson(string model, string text, FakeUsage? usage = null) =>
        AnthropicJson(model, [text], toolInputJson: null, usage ?? FakeUsage.Default, stopReason: "max_tokens");

    private static string AnthropicJson(string model, string[] textBlocks, string? toolInputJson, FakeUsage usage, string? stopReason = null)
    {
        var content = textBlocks.Select(text => (object)new { type = "text", text }).ToList();
        if (toolInputJson is not null)
        {
            using var input = JsonDocument.Parse(toolInputJson);
            content.Add(new { type = "tool_use", id = "toolu_fake", name = "request_human", input = input.RootElement.Clone() });
        }

        return JsonSerializer.Serialize(new
        {
            id = "msg_fake",
            type = "message",
            role = "assistant",
            model,
            content,
            stop_reason = stopReason ?? (toolInputJson is null ? "end_turn" : "tool_use"),
            stop_sequence = (string?)null,
            usage = new
            {
                input_tokens = usage.InputTokens,
                output_tokens = usage.OutputTokens,
                cache_read_input_tokens = usage.CachedTokens,
                cache_creation_input_tokens = usage.CacheCreationTokens,
            },
        });
    }

    public static string OpenAiTranscriptionJson(string text) => JsonSerializer.Serialize(new { text });

    public static string AnthropicErrorJson(int status, string? message = null) => JsonSerializer.Serialize(new
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
            message = message ?? $"fake error {status}",
        },
        request_id = "req_fake",
    });

    private async Task HandleAsync(HttpContext context)
    {
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        RecordedRequest request;
        if (context.Request.HasFormContentType)
        {
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            var files = new List<RecordedFile>();
            foreach (var file in form.Files)
            {
                using var data = new MemoryStream();
                await file.CopyToAsync(data, context.RequestAborted);
                files.Add(new RecordedFile(file.Name, file.FileName, file.ContentType, data.ToArray()));
            }

            request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, "")
            {
                Form = form.ToDictionary(field => field.Key, field => field.Value.ToString()),
                Files = files,
            };
        }
        else
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            request = new RecordedRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body);
        }

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
        var isTranscription = request.Path.EndsWith("/audio/transcriptions", StringComparison.Ordinal);
        var isOpenAi = isTranscription || request.Path.EndsWith("/chat/completions", StringComparison.Ordinal);
        var isAnthropic = request.Path.EndsWith("/messages", StringComparison.Ordinal);
        if (!isOpenAi && !isAnthropic)
        {
            return new FakeResponse(StatusCodes.Status404NotFound, """{"error":"no such route"}""");
        }

        if (StatusCode != StatusCodes.Status200OK)
        {
            return new FakeResponse(StatusCode, isOpenAi ? OpenAiErrorJson(StatusCode, ErrorMessage) : AnthropicErrorJson(StatusCode, ErrorMessage));
        }

        if (AccountExhausted)
        {
            return isOpenAi
                ? new FakeResponse(StatusCodes.Status429TooManyRequests, OpenAiInsufficientQuotaJson())
                : new FakeResponse(StatusCodes.Status400BadRequest, AnthropicCreditBalanceTooLowJson());
        }

        if (isTranscription)
        {
            return new FakeResponse(StatusCodes.Status200OK, OpenAiTranscriptionJson(TranscriptText));
        }

        var model = TryGetModel(request) ?? "unknown";
        if (FitsInTokens is { } fits && HandoffReason is null && HandoffArgumentsJson is null && MaxTokens(request) is { } asked && asked < fits)
        {
            return new FakeResponse(StatusCodes.Status200OK,
                isOpenAi ? OpenAiTruncatedJson(model, TruncatedText, Usage) : AnthropicTruncatedJson(model, TruncatedText, Usage));
        }
        if (HandoffReason is not null || HandoffArgumentsJson is not null)
        {
            var arguments = HandoffArgumentsJson ?? JsonSerializer.Serialize(new { reason = HandoffReason });
            return new FakeResponse(StatusCodes.Status200OK, isOpenAi
                ? OpenAiToolCallJson(model, HandoffText, arguments, Usage)
                : AnthropicToolUseJson(model, AsJsonObject(arguments), Usage, HandoffText is null ? [] : [HandoffText]));
        }

        return new FakeResponse(
            StatusCodes.Status200OK,
            isOpenAi ? OpenAiCompletionJson(model, ReplyText, Usage) : AnthropicMessageJson(model, Usage, ReplyText));
    }

    private static string AsJsonObject(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object ? json : "{}";
        }
        catch (JsonException)
        {
            return "{}";
        }
    }

    /// <summary>The output token limit the request asked for (OpenAI max_completion_tokens or max_tokens, Anthropic max_tokens).</summary>
    public static int? MaxTokens(RecordedRequest request)
    {
        try
        {
            var json = request.Json;
            foreach (var name in new[] { "max_completion_tokens", "max_tokens" })
                if (json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number) return value.GetInt32();
            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? TryGetModel(RecordedRequest request)
    {
        if (request.Form.TryGetValue("model", out var formModel)) return formModel;
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
