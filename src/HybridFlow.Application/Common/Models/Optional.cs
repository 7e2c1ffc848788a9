using System.Text.Json;
using System.Text.Json.Serialization;

namespace HybridFlow.Application.Common.Models;

/// <summary>
/// A PATCH field: absent from the body (<see cref="HasValue"/> false, leave the stored value) or present,
/// possibly as JSON null (clear the stored value). Plain nullable properties cannot tell the two apart.
/// </summary>
[JsonConverter(typeof(OptionalJsonConverterFactory))]
public readonly record struct Optional<T>
{
    public Optional(T value)
    {
        Value = value;
        HasValue = true;
    }

    public bool HasValue { get; }

    public T Value { get; }

    public T GetValueOrDefault(T fallback) => HasValue ? Value : fallback;

    public static Optional<T> Of(T value) => new(value);
}

/// <summary>Reads a present JSON value (null included) as a set <see cref="Optional{T}"/>; an absent property stays unset.</summary>
public sealed class OptionalJsonConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Optional<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        (JsonConverter)Activator.CreateInstance(typeof(OptionalJsonConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;

    private sealed class OptionalJsonConverter<T> : JsonConverter<Optional<T>>
    {
        public override bool HandleNull => true;

        // The value's own converter, called directly so that a type error keeps its path ($.field) in the error.
        public override Optional<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(((JsonConverter<T>)options.GetConverter(typeof(T))).Read(ref reader, typeof(T), options)!);

        public override void Write(Utf8JsonWriter writer, Optional<T> value, JsonSerializerOptions options)
        {
            if (value.HasValue) JsonSerializer.Serialize(writer, value.Value, options);
            else writer.WriteNullValue();
        }
    }
}
