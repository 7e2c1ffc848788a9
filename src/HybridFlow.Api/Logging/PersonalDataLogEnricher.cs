using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace HybridFlow.Api.Logging;

/// <summary>ASP.NET's own request scope carries the raw path, which holds chat ids (phone numbers): mask it.</summary>
public sealed partial class PersonalDataLogEnricher : ILogEventEnricher
{
    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        if (logEvent.Properties.TryGetValue("RequestPath", out var value) && value is ScalarValue { Value: string path })
            logEvent.AddOrUpdateProperty(propertyFactory.CreateProperty("RequestPath", MaskPath(path)));
    }

    /// <summary>Chat ids appear in /sessions/{instance}/{chat_id}: keep the last digits only.</summary>
    public static string MaskPath(string? path) =>
        path is null ? "" : LongNumber().Replace(path, m => new string('*', m.Length - 4) + m.Value[^4..]);

    [GeneratedRegex(@"\d{6,}")]
    private static partial Regex LongNumber();
}
