using Serilog;
using Serilog.AspNetCore;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace HybridFlow.Api.Logging;

/// <summary>
/// Serilog for the API host: JSON lines on stdout (one event a line), a readable console in Development, and one
/// request line per request from Serilog.AspNetCore with the path masked.
/// </summary>
public static class SerilogSetup
{
    public const string RequestTemplate = "{method} {path} answered {status} in {duration_ms} ms";

    public static LoggerConfiguration Configure(LoggerConfiguration logger, IConfiguration configuration, IHostEnvironment environment)
    {
        var level = (configuration["LOG_LEVEL"] ?? "info").ToLowerInvariant() switch
        {
            "debug" => LogEventLevel.Debug,
            "warning" or "warn" => LogEventLevel.Warning,
            "error" => LogEventLevel.Error,
            _ => LogEventLevel.Information,
        };
        logger
            .MinimumLevel.Is(level)
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .MinimumLevel.Override("System.Net.Http.HttpClient", LogEventLevel.Warning)
            // A "Serilog" configuration section (Serilog__MinimumLevel__Override__X=...) refines the above.
            .ReadFrom.Configuration(configuration)
            .Enrich.FromLogContext()
            .Enrich.With<PersonalDataLogEnricher>();
        return environment.IsDevelopment()
            ? logger.WriteTo.Console()
            : logger.WriteTo.Console(new RenderedCompactJsonFormatter());
    }

    public static void ConfigureRequestLogging(RequestLoggingOptions options, Serilog.ILogger logger)
    {
        // The host's own logger, not the static one: tests run several hosts in one process.
        options.Logger = logger;
        options.MessageTemplate = RequestTemplate;
        // 502 and 503 are a dependency's trouble, already logged as a warning by the error boundary.
        options.GetLevel = (context, _, exception) =>
            exception is not null || context.Response.StatusCode == StatusCodes.Status500InternalServerError ? LogEventLevel.Error
            : context.Response.StatusCode >= 500 ? LogEventLevel.Warning
            : LogEventLevel.Information;
        // Called only when the line is written, so the masking regex runs only then.
        options.GetMessageTemplateProperties = (context, path, elapsedMs, status) =>
        [
            new LogEventProperty("method", new ScalarValue(context.Request.Method)),
            new LogEventProperty("path", new ScalarValue(PersonalDataLogEnricher.MaskPath(path))),
            new LogEventProperty("status", new ScalarValue(status)),
            new LogEventProperty("duration_ms", new ScalarValue(Math.Round(elapsedMs, 2))),
        ];
    }
}
