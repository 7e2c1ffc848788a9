using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridFlow.Api.Contracts;

/// <summary>
/// Refuses a request body string holding NUL (U+0000): PostgreSQL's text cannot store it, and a statement it refuses
/// while Npgsql prepares it breaks that statement for the connection's later users (ADR-021). The 400 names the field.
/// </summary>
public sealed class StringWithoutNulConverter : JsonConverter<string>
{
    public const string Message = "The text holds a NUL character (U+0000), which cannot be stored.";

    public override bool HandleNull => false;

    public override string? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetString();
        if (value is not null && value.Contains('\0', StringComparison.Ordinal)) throw new JsonException(Message);
        return value;
    }

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);
}
