using HybridFlow.Application.Common.Security;
using HybridFlow.Infrastructure;
using HybridFlow.Infrastructure.Observability;
using Microsoft.AspNetCore.Mvc;
using Prometheus;

namespace HybridFlow.Api.Security;

/// <summary>
/// GET /metrics: prometheus-net writes the host's registry in the Prometheus text format 0.0.4 (or OpenMetrics when the
/// scraper asks for it). Open unless METRICS_API_KEY is set; then it needs <c>Authorization: Bearer &lt;METRICS_API_KEY&gt;</c>.
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
                             + "call latency and errors, process and GC figures. Open unless METRICS_API_KEY is set; then send it as "
                             + "'Authorization: Bearer <key>'.")
            .Produces<string>(StatusCodes.Status200OK, "text/plain")
            .ProducesProblem(StatusCodes.Status401Unauthorized);
    }
}

/// <summary>The METRICS_API_KEY check in front of the exposition: a missing or wrong key is a 401 problem document.</summary>
public sealed class MetricsKeyMiddleware
{
    private readonly RequestDelegate _next;
    private readonly OperationsOptions _options;

    public MetricsKeyMiddleware(RequestDelegate next, OperationsOptions options)
    {
        _next = next;
        _options = options;
    }

    public async Task InvokeAsync(HttpContext context)
    {
        var expected = _options.MetricsApiKey;
        var presented = AuthorizationHeader.BearerToken(context.Request.Headers.Authorization.ToString());
        if (string.IsNullOrEmpty(expected) || SecretComparison.Matches(presented, expected))
        {
            await _next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        await context.Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized", Detail = "Send METRICS_API_KEY as 'Authorization: Bearer <key>'.",
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }
}
