using System.Text.RegularExpressions;

namespace HybridFlow.Application.Templates;

/// <summary>
/// An approved WhatsApp message template: its <c>body</c> text holds <c>{{1}}</c>, <c>{{2}}</c>, … for its
/// <c>variable_count</c> variables. <c>category</c> is Meta's (MARKETING, UTILITY, AUTHENTICATION).
/// </summary>
public sealed record MessageTemplateDto(string Name, string Language, string Category, string Body, int VariableCount);

/// <summary>The approved templates of an instance's WhatsApp Business account.</summary>
public sealed record MessageTemplateListDto(string InstanceName, IReadOnlyList<MessageTemplateDto> Items);

/// <summary>The Graph API could not be asked for the templates, or refused (<see cref="UpstreamStatus"/>: its HTTP status, if any).</summary>
public sealed class MessageTemplateCatalogException : Exception
{
    public MessageTemplateCatalogException(string message, int? upstreamStatus, Exception? inner = null) : base(message, inner) =>
        UpstreamStatus = upstreamStatus;

    public int? UpstreamStatus { get; }
}

/// <summary>What the templates' rules are made of: their variables, their bodies filled in, and the limits.</summary>
public static partial class MessageTemplates
{
    /// <summary>How long an instance's list is answered from memory before the Graph API is asked again.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromMinutes(10);

    /// <summary>The most variables a send may carry, before the template's own count is known.</summary>
    public const int VariablesMax = 100;

    /// <summary>A variable's longest text (Meta's body is at most 1,024 characters; a variable cannot be longer).</summary>
    public const int VariableMax = 1024;

    /// <summary>Meta's template names: lowercase letters, digits and underscores.</summary>
    public const int NameMax = 512;

    public const int LanguageMax = 15;

    [GeneratedRegex(@"\{\{\s*(\d+)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[a-z0-9_]+$")]
    public static partial Regex Name();

    /// <summary>A language code as Meta writes them: en, en_US, pt_BR, zh_HK.</summary>
    [GeneratedRegex("^[a-z]{2,3}(_[A-Za-z]{2,4})?$")]
    public static partial Regex Language();

    /// <summary>How many variables the body takes: its highest <c>{{n}}</c> (Meta numbers them from 1 without gaps).</summary>
    public static int VariableCount(string? body)
    {
        var highest = 0;
        foreach (Match m in Placeholder().Matches(body ?? ""))
            if (int.TryParse(m.Groups[1].ValueSpan, out var n) && n > highest) highest = n;
        return highest;
    }

    /// <summary>The body with each <c>{{n}}</c> replaced by variable n (what the customer reads, and what is recorded).</summary>
    public static string Fill(string body, IReadOnlyList<string> variables) =>
        Placeholder().Replace(body, m => int.TryParse(m.Groups[1].ValueSpan, out var n) && n >= 1 && n <= variables.Count ? variables[n - 1] : m.Value);

    /// <summary>
    /// Why Meta would refuse this variable's text, or null: a body parameter may hold no new line or tab and no more
    /// than four spaces in a row (Graph error 100 otherwise), and may not be blank.
    /// </summary>
    public static string? VariableProblem(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return "may not be blank";
        if (text.Length > VariableMax) return $"may be at most {VariableMax} characters";
        if (text.AsSpan().IndexOfAny('\n', '\r', '\t') >= 0) return "may not hold a new line or a tab";
        if (text.Contains("     ", StringComparison.Ordinal)) return "may not hold more than four spaces in a row";
        return null;
    }
}
