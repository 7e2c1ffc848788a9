using System.Globalization;
using System.Text.Json;
using FluentValidation.Results;

namespace HybridFlow.Application.Common.Exceptions;

/// <summary>
/// A validation error as a machine code and its values (problem+json's <c>error_codes</c>, beside <c>errors</c>), so a
/// client can say it in its person's language (ADR-017). FluentValidation's built-in rules give their validator's name
/// (MaximumLengthValidator: <c>maximum_length</c> with <c>max_length</c>, <c>total_length</c>); a rule with a message of
/// its own names its code with WithErrorCode and its values with WithState(ValidationParams.Of(...)).
/// </summary>
public sealed record ValidationErrorCode(string Code, IReadOnlyDictionary<string, string> Params)
{
    public const string Invalid = "invalid";

    private static readonly HashSet<string> NotParams = ["PropertyName", "PropertyValue", "PropertyPath"];

    public static ValidationErrorCode From(ValidationFailure failure)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in failure.FormattedMessagePlaceholderValues ?? new Dictionary<string, object>())
        {
            if (NotParams.Contains(name) || value is null) continue;
            values[JsonNamingPolicy.SnakeCaseLower.ConvertName(name)] = Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";
        }
        if (failure.CustomState is IReadOnlyDictionary<string, string> state)
            foreach (var (name, value) in state) values[name] = value;
        return new ValidationErrorCode(CodeOf(failure.ErrorCode), values);
    }

    /// <summary>"MaximumLengthValidator" -> "maximum_length"; a Must without a code of its own -> "invalid".</summary>
    private static string CodeOf(string? errorCode)
    {
        if (string.IsNullOrEmpty(errorCode)) return Invalid;
        if (!errorCode.EndsWith("Validator", StringComparison.Ordinal)) return errorCode;
        var name = errorCode[..^"Validator".Length];
        return name is "Predicate" or "AsyncPredicate" ? Invalid : JsonNamingPolicy.SnakeCaseLower.ConvertName(name);
    }
}

/// <summary>The values of a rule's own error code, for WithState.</summary>
public static class ValidationParams
{
    public static IReadOnlyDictionary<string, string> Of(params (string Name, object Value)[] values) =>
        values.ToDictionary(v => v.Name, v => Convert.ToString(v.Value, CultureInfo.InvariantCulture) ?? "", StringComparer.Ordinal);
}
