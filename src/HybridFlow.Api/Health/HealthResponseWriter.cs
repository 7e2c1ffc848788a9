using HybridFlow.Application.Common.Security;
using HybridFlow.Infrastructure.Health;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace HybridFlow.Api.Health;

/// <summary>The answer of GET /health.</summary>
/// <param name="Ok">False when a check is "error"; the answer is then 503.</param>
/// <param name="Version">The service's version.</param>
/// <param name="Timestamp">When the checks ran (UTC).</param>
/// <param name="Checks">By name: database, llm, workflow.</param>
public sealed record HealthReportDto(bool Ok, string Version, DateTimeOffset Timestamp, IReadOnlyDictionary<string, HealthCheckDto> Checks);

/// <summary>What anyone may read: whether each dependency is up, without the version, messages or model.</summary>
/// <param name="Ok">False when a check is "error"; the answer is then 503.</param>
/// <param name="Checks">By name: database, llm, workflow.</param>
public sealed record PublicHealthReportDto(bool Ok, IReadOnlyDictionary<string, PublicHealthCheckDto> Checks);

/// <summary>One dependency, as anyone sees it.</summary>
/// <param name="Status">"ok", "disabled", "degraded" or "error".</param>
public sealed record PublicHealthCheckDto(string Status);

/// <summary>One dependency.</summary>
/// <param name="Status">"ok", "disabled", "degraded" or "error"; only "error" makes /health 503.</param>
/// <param name="Message">What was found, never a secret.</param>
public sealed record HealthCheckDto(string Status, string? Message);

/// <summary>
/// Writes ASP.NET Core's health report as HybridFlow's /health contract (snake_case, 503 when a check fails). The platform
/// admin (ADMIN_API_KEY or a platform_admin login) reads the version and each check's message; anyone else only the statuses.
/// </summary>
public static class HealthResponseWriter
{
    private static readonly string Version = typeof(HealthResponseWriter).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static HealthCheckOptions Options { get; } = new()
    {
        ResponseWriter = WriteAsync,
        ResultStatusCodes =
        {
            [HealthStatus.Healthy] = StatusCodes.Status200OK,
            [HealthStatus.Degraded] = StatusCodes.Status200OK,
            [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
        },
    };

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        var services = context.RequestServices;
        var json = services.GetRequiredService<IOptions<Microsoft.AspNetCore.Mvc.JsonOptions>>().Value.JsonSerializerOptions;
        if (!context.User.IsInRole(CallerRoleNames.PlatformAdmin))
        {
            var statuses = new PublicHealthReportDto(report.Status != HealthStatus.Unhealthy,
                report.Entries.ToDictionary(e => e.Key, e => new PublicHealthCheckDto(ToDto(e.Key, e.Value).Status)));
            return context.Response.WriteAsJsonAsync(statuses, json, "application/json; charset=utf-8", context.RequestAborted);
        }
        var body = new HealthReportDto(
            report.Status != HealthStatus.Unhealthy,
            Version,
            services.GetRequiredService<TimeProvider>().GetUtcNow(),
            report.Entries.ToDictionary(e => e.Key, e => ToDto(e.Key, e.Value)));
        return context.Response.WriteAsJsonAsync(body, json, "application/json; charset=utf-8", context.RequestAborted);
    }

    private static HealthCheckDto ToDto(string name, HealthReportEntry entry)
    {
        var status = entry.Data.TryGetValue(HybridFlowHealthChecks.StatusKey, out var named) && named is string s ? s
            : entry.Status switch
            {
                HealthStatus.Healthy => "ok",
                HealthStatus.Degraded => "degraded",
                _ => "error",
            };
        // An exception's text can name hosts or carry a connection string: it is never shown.
        var message = entry.Exception is null ? entry.Description
            : name == HybridFlowHealthChecks.Database ? "database unreachable"
            : "the check failed";
        return new HealthCheckDto(status, message);
    }
}
