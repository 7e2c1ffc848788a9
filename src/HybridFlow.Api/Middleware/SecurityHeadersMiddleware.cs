namespace HybridFlow.Api.Middleware;

/// <summary>
/// nosniff, no framing and no referrer on every answer: JSON, problem documents (401, 404, 429 included), /metrics,
/// /health and Swagger UI. Added when the headers go out, since the error boundary clears them before it writes a problem;
/// a header already set (the inbox's static files carry their own, stricter CSP) is kept.
/// </summary>
public sealed class SecurityHeadersMiddleware
{
    /// <summary>API answers load nothing and may not be framed.</summary>
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
    /// <summary>Swagger UI runs its own scripts and styles: only framing is forbidden.</summary>
    public const string SwaggerContentSecurityPolicy = "frame-ancestors 'none'";
    public const string ReferrerPolicy = "no-referrer";

    private readonly RequestDelegate _next;

    public SecurityHeadersMiddleware(RequestDelegate next) => _next = next;

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            var csp = context.Request.Path.StartsWithSegments("/swagger") ? SwaggerContentSecurityPolicy : ApiContentSecurityPolicy;
            headers.TryAdd("Content-Security-Policy", csp);
            headers.TryAdd("X-Content-Type-Options", "nosniff");
            headers.TryAdd("X-Frame-Options", "DENY");
            headers.TryAdd("Referrer-Policy", ReferrerPolicy);
            return Task.CompletedTask;
        });
        return _next(context);
    }
}
