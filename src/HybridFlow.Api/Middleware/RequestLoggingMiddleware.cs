using System.Diagnostics;
using System.Text.RegularExpressions;

namespace HybridFlow.Api.Middleware;

/// <summary>One log line per request with a correlation id (taken from X-Correlation-Id or made), phone numbers masked.</summary>
public sealed partial class RequestLoggingMiddleware
{
    public const string CorrelationHeader = "X-Correlation-Id";
    /// <summary>Key of the correlation id in <see cref="HttpContext.Items"/>.</summary>
    public const string CorrelationItem = "correlation_id";
    private readonly RequestDelegate _next;
    private readonly ILogger<RequestLoggingMiddleware> _logger;

    public RequestLoggingMiddleware(RequestDelegate next, ILogger<RequestLoggingMiddleware> logger)
    {
        _next = next;
        _logger = logger;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[CorrelationHeader].ToString();
        var correlationId = incoming.Length is > 0 and <= 100 && SafeId().IsMatch(incoming) ? incoming : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = correlationId;
        context.Items[CorrelationItem] = correlationId;
        context.Response.Headers[CorrelationHeader] = correlationId;

        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["correlation_id"] = correlationId });
        var started = Stopwatch.GetTimestamp();
        try
        {
            await _next(context);
        }
        finally
        {
            // Masking runs a regex: only when the line is written.
            if (_logger.IsEnabled(LogLevel.Information))
                _logger.LogInformation("{method} {path} answered {status} in {duration_ms} ms",
                    context.Request.Method, MaskPath(context.Request.Path.Value), context.Response.StatusCode,
                    Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 2));
        }
    }

    /// <summary>Chat ids appear in /sessions/{instance}/{chat_id}: keep the last digits only.</summary>
    public static string MaskPath(string? path) =>
        path is null ? "" : LongNumber().Replace(path, m => new string('*', m.Length - 4) + m.Value[^4..]);

    [GeneratedRegex(@"\d{6,}")]
    private static partial Regex LongNumber();

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeId();
}
