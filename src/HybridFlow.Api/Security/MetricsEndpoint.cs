using HybridFlow.Application.Common.Security;
using HybridFlow.Infrastructure;
using HybridFlow.Infrastructure.Observability;
using Microsoft.AspNetCore.Mvc;
using Prometheus;

namespace HybridFlow.Api.Security;

/// <summary>
/// GET /metrics: prometheus-net writes the host's registry in the Prometheus text format 0.0.4 (or OpenMetrics when the
/// scraper asks for it). With METRICS_API_KEY set it needs <c>Authorization: Bearer &lt;METRICS_API_KEY&gt;</c>; without it, it is
/// open outside Production and, in Production, only with METRICS_PUBLIC=true (else 401).
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static RouteHandlerBuilder MapHybridFlowMetrics(this IEndpointRouteBuilder endpoints)
    {
        var registry = endpoints.ServiceProvider.GetRequiredService<PrometheusMeterBridge>().Registry;
        var pipeline = endpoints.CreateApplicationBuilder()
            .UseMiddleware<MetricsKeyMiddleware>()
            .UseMetricServer(settings => settings.Registry = registry, url: null)
            .Build();
        // A route handler rather than the bare pipeline, so that the OpenAPI document describes it like every other route.
        return endpoints.MapGet(Path, (Func<HttpContext, Task>)(context => pipeline(context)))
            .WithDisplayName("Prometheus metrics")
            .WithTags("Operations")
            .WithSummary("Prometheus metrics in the text exposition format 0.0.4")
            .WithDescription("Webhooks by action, webhook latency, reply jobs by outcome, reply queue depth and age, LLM and Evolution "
                             + "call latency and errors, process and GC figures. With METRICS_API_KEY set, send it as "
                             + "'Authorization: Bearer <key>'. Without it: in Production 401 unless METRICS_PUBLIC=true, elsewhere open.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }
}

/// <summary>The METRICS_API_KEY check in front of the exposition: a missing or wrong key is a 401 problem document.</summary>
public sealed class MetricsKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly OperationsOptions _options;
    private readonly bool _openWithoutKey;

    public MetricsKeyMiddleware(RequestDelegate next, OperationsOptions options, IHostEnvironment environment)
    {
        _next = next;
        _options = options;
        // A production install does not publish its figures by accident: without a key, only when it says so.
        _openWithoutKey = options.MetricsPublic || !environment.IsProduction();
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var expected = _options.MetricsApiKey;
        var presented = AuthorizationHeader.BearerToken(context.Request.Headers.Authorization.ToString());
        if (string.IsNullOrEmpty(expected) ? _openWithoutKey : SecretComparison.Matches(presented, expected))
        {
            await _next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized",
            Detail = string.IsNullOrEmpty(expected)
                ? "Metrics are closed: set METRICS_API_KEY and send it as 'Authorization: Bearer <key>', or set METRICS_PUBLIC=true."
                : "Send METRICS_API_KEY as 'Authorization: Bearer <key>'.",
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }
}
