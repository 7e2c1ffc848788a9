using System.Text.RegularExpressions;
using Serilog.Context;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// Takes a safe X-Correlation-Id from the caller or makes one, answers it, and puts it on every log event of the request
/// (the request log line included, so this runs before Serilog's request logging).
/// </summary>
public sealed partial class CorrelationIdMiddleware
{
    public const string CorrelationHeader = "X-Correlation-Id";
    /// <summary>Key of the correlation id in <see cref="HttpContext.Items"/>.</summary>
    public const string CorrelationItem = "correlation_id";
    private readonly RequestDelegate _next;

    public CorrelationIdMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[CorrelationHeader].ToString();
        var correlationId = incoming.Length is > 0 and <= 100 && SafeId().IsMatch(incoming) ? incoming : Guid.NewGuid().ToString("N");
        context.TraceIdentifier = correlationId;
        context.Items[CorrelationItem] = correlationId;
        // On starting, not now: the error boundary clears the headers before it writes a problem document.
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[CorrelationHeader] = correlationId;
            return Task.CompletedTask;
        });

        using (LogContext.PushProperty("correlation_id", correlationId))
            await _next(context);
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeId();
}
