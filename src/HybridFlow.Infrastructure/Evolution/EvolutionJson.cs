using System.Text.Json;

namespace HybridFlow.Infrastructure.Evolution;

internal static class EvolutionJson
{
    /// <summary>The string at <c>outer.inner</c> of an Evolution answer, or null when the body is not shaped so.</summary>
    public static string? StringAt(string body, string outer, string inner)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.ValueKind == JsonValueKind.Object
                   && doc.RootElement.TryGetProperty(outer, out var parent) && parent.ValueKind == JsonValueKind.Object
                   && parent.TryGetProperty(inner, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
