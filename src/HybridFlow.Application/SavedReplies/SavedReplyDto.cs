using System.Text.RegularExpressions;

namespace HybridFlow.Application.SavedReplies;

/// <summary>
/// A saved reply: <see cref="Text"/> may hold <c>{{contact_name}}</c> and <c>{{agent_name}}</c>, which the composer fills
/// in (the conversation's contact, the person writing) when the reply is chosen.
/// </summary>
public sealed record SavedReplyDto(long Id, long TenantId, string Shortcut, string Text, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record SavedReplyListDto(IReadOnlyList<SavedReplyDto> Items);

/// <summary>The rules a shortcut and a text follow, shared by create and update.</summary>
public static partial class SavedReplyRules
{
    public const int ShortcutMax = 32;
    public const int TextMax = 4_096;
    public const int PerTenantMax = 500;
    public static readonly IReadOnlyList<string> Variables = ["contact_name", "agent_name"];

    /// <summary>Lower-case letters, digits, "-" and "_", starting with a letter or digit: what an agent types after "/".</summary>
    public static bool IsShortcut(string? shortcut) => shortcut is not null && ShortcutPattern().IsMatch(shortcut);

    /// <summary>The first <c>{{name}}</c> in <paramref name="text"/> that is not a known variable, or null.</summary>
    public static string? UnknownVariable(string? text)
    {
        if (text is null) return null;
        foreach (Match m in VariablePattern().Matches(text))
            if (!Variables.Contains(m.Groups[1].Value)) return m.Value;
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,31}$")]
    private static partial Regex ShortcutPattern();

    [GeneratedRegex(@"\{\{\s*([^{}]*?)\s*\}\}")]
    private static partial Regex VariablePattern();
}
