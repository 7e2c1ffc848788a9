using System.Globalization;
using System.Text;

namespace HybridFlow.Domain.Handoffs;

/// <summary>
/// Finds a handoff phrase in a customer's text: whole words, ignoring case, accents and punctuation
/// ("Quero falar com uma PESSOA!" has "falar com uma pessoa"; "agentes" is not "agente").
/// </summary>
public static class HandoffKeywordMatcher
{
    /// <summary>The first configured phrase (as configured) that the text contains, or null.</summary>
    public static string? FindMatch(string? text, IReadOnlyList<string> phrases)
    {
        if (string.IsNullOrWhiteSpace(text) || phrases.Count == 0) return null;
        var words = Words(text);
        if (words.Count == 0) return null;
        foreach (var phrase in phrases)
        {
            var wanted = Words(phrase);
            if (wanted.Count > 0 && ContainsRun(words, wanted)) return phrase;
        }
        return null;
    }

    private static bool ContainsRun(List<string> words, List<string> run)
    {
        for (var start = 0; start + run.Count <= words.Count; start++)
        {
            var i = 0;
            while (i < run.Count && words[start + i] == run[i]) i++;
            if (i == run.Count) return true;
        }
        return false;
    }

    /// <summary>Lowercase words without diacritics; anything that is not a letter or a digit separates them.</summary>
    private static List<string> Words(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) continue;
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
                continue;
            }
            if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }
        if (word.Length > 0) words.Add(word.ToString());
        return words;
    }
}
