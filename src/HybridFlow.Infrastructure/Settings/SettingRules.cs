using System.Globalization;

namespace HybridFlow.Infrastructure.Settings;

/// <summary>
/// What a bound setting's text must be. Settings are bound as text, so a bad value is reported with our message (it
/// names the variable, never the value) rather than the binder's conversion error; <see cref="SettingsValidator{T}"/>
/// applies the rules when the host starts.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal abstract class SettingRuleAttribute : Attribute
{
    /// <summary>The message for <paramref name="variable"/>'s <paramref name="value"/> (never null: unset values pass), or null when it is good.</summary>
    public abstract string? Failure(string variable, string value);
}

/// <summary>A number within [Min, Max]; with <see cref="WholeNumber"/>, an integer.</summary>
internal sealed class NumberAttribute(double min, double max) : SettingRuleAttribute
{
    public bool WholeNumber { get; set; }

    public bool ExclusiveMinimum { get; set; }

    /// <summary>What follows the variable's name when the value is bad; by default "must be a number between Min and Max."</summary>
    public string? Message { get; set; }

    public override string? Failure(string variable, string value)
    {
        var good = WholeNumber
            ? int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var whole) && InRange(whole)
            : SettingText.TryNumber(value, out var number) && double.IsFinite(number) && InRange(number);
        return good ? null : $"{variable} {Message ?? $"must be a number between {min} and {max}."}";
    }

    private bool InRange(double value) => (ExclusiveMinimum ? value > min : value >= min) && value <= max;
}

internal sealed class FlagAttribute : SettingRuleAttribute
{
    public override string? Failure(string variable, string value) =>
        SettingText.Flag(value, false) == SettingText.Flag(value, true) ? null : $"{variable} must be true or false.";
}

internal sealed class HttpUrlAttribute : SettingRuleAttribute
{
    public override string? Failure(string variable, string value) =>
        SettingText.HttpUrl(value) is null ? $"{variable} must be an absolute http(s) URL." : null;
}

/// <summary>Reads bound setting text that <see cref="SettingsValidator{T}"/> has already checked.</summary>
internal static class SettingText
{
    /// <summary>Trimmed; blank counts as unset, since compose files and .env templates often declare variables with empty values.</summary>
    public static string? Value(string? raw) => string.IsNullOrWhiteSpace(raw) ? null : raw.Trim();

    public static double Number(string? raw, double fallback) =>
        Value(raw) is { } value && TryNumber(value, out var number) ? number : fallback;

    public static int WholeNumber(string? raw, int fallback) =>
        Value(raw) is { } value && int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : fallback;

    /// <summary>1/true/yes/on or 0/false/no/off, any case; anything else gives <paramref name="fallback"/>.</summary>
    public static bool Flag(string? raw, bool fallback) => Value(raw)?.ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => fallback,
    };

    public static Uri? HttpUrl(string? raw) =>
        Value(raw) is { } value && Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : null;

    public static bool TryNumber(string value, out double number) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out number);
}
