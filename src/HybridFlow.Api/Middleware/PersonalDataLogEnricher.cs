using Serilog.Core;
using Serilog.Events;

namespace HybridFlow.Api.Middleware;

/// <summary>ASP.NET's own request scope carries the raw path, which holds chat ids (phone numbers): mask it.</summary>
public sealed class PersonalDataLogEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Properties.TryGetValue("RequestPath", out var value) && value is ScalarValue { Value: string path })
            logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty("RequestPath", RequestLoggingMiddleware.MaskPath(path)));
    }
}
