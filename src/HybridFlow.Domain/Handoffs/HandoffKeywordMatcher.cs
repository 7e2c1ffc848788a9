using System.Globalization;
using System.Runtime.CompilerServices;
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
        foreach (var (phrase, wanted) in Tokenized.GetValue(phrases, Tokenize))
            if (wanted.Count > 0 && ContainsRun(words, wanted)) return phrase;
        return null;
    }

    // A tenant's phrases are one list in its cached settings: they are cut into words once, not for every message.
    private static readonly ConditionalWeakTable<IReadOnlyList<string>, List<(string Phrase, List<string> Words)>> Tokenized = new();

    private static List<(string Phrase, List<string> Words)> Tokenize(IReadOnlyList<string> phrases) =>
        [.. phrases.Select(p => (p, Words(p)))];

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

    // The service runs with invariant globalization, where string.Normalize does not decompose: the Latin letters of
    // the languages the defaults cover are folded by this table, and combining marks (decomposed input) are dropped.
    private static readonly Dictionary<char, string> Folded = BuildFolds(
        ("àáâãäåāăą", "a"), ("çćĉċč", "c"), ("ďđ", "d"), ("èéêëēĕėęě", "e"), ("ĝğġģ", "g"), ("ĥħ", "h"), ("ìíîïĩīĭįı", "i"),
        ("ĵ", "j"), ("ķ", "k"), ("ĺļľŀł", "l"), ("ñńņňŉ", "n"), ("òóôõöøōŏő", "o"), ("ŕŗř", "r"), ("śŝşš", "s"), ("ţťŧ", "t"),
        ("ùúûüũūŭůűų", "u"), ("ŵ", "w"), ("ýÿŷ", "y"), ("źżž", "z"), ("ß", "ss"), ("æ", "ae"), ("œ", "oe"));

    private static Dictionary<char, string> BuildFolds(params (string Letters, string Base)[] groups)
    {
        var folds = new Dictionary<char, string>();
        foreach (var (letters, plain) in groups)
            foreach (var c in letters) folds[c] = plain;
        return folds;
    }

    /// <summary>Lowercase words without diacritics; anything that is not a letter or a digit separates them.</summary>
    private static List<string> Words(string text)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var original in text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(original);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark) continue;
            if (char.IsLetterOrDigit(original))
            {
                var c = char.ToLowerInvariant(original);
                if (Folded.TryGetValue(c, out var plain)) word.Append(plain);
                else word.Append(c);
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
