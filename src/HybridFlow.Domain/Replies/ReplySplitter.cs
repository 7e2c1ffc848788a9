using System.Globalization;
using System.Text.RegularExpressions;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Replies;

/// <summary>
/// Cuts a reply into the WhatsApp messages it goes out as: on blank lines, into at most <c>maxParts</c> messages (the
/// surplus paragraphs join the last one), then every message longer than <c>maxLength</c> at a sentence boundary, else a
/// word boundary, else between two characters as the reader sees them (never inside a surrogate pair or an emoji sequence).
/// The length cut wins over the part count: a text longer than maxParts × maxLength becomes more messages rather than lose words.
/// </summary>
public static partial class ReplySplitter
{
    /// <summary>The parts a tenant's settings make of <paramref name="text"/>; one part when splitting is off (today's behaviour).</summary>
    public static IReadOnlyList<string> Split(string text, ConversationSettings settings) =>
        settings.SplitMessages
            ? Split(text, settings.MaxReplyParts, ConversationSettings.PartMaxLength)
            : NonBlank(text) is { } whole ? [whole] : [];

    public static IReadOnlyList<string> Split(string text, int maxParts, int maxLength)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxParts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 2); // room for one surrogate pair
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        var paragraphs = BlankLine().Split(normalized).Select(NonBlank).OfType<string>().ToList();
        if (paragraphs.Count > maxParts)
        {
            var surplus = string.Join("\n\n", paragraphs.Skip(maxParts - 1));
            paragraphs = [.. paragraphs.Take(maxParts - 1), surplus];
        }
        var parts = new List<string>(paragraphs.Count);
        foreach (var paragraph in paragraphs) CutToLength(paragraph, maxLength, parts);
        return parts;
    }

    private static void CutToLength(string text, int maxLength, List<string> parts)
    {
        var rest = text;
        while (rest.Length > maxLength)
        {
            var cut = LastSentenceEnd(rest, maxLength) ?? LastWordEnd(rest, maxLength) ?? LastTextElementEnd(rest, maxLength);
            if (NonBlank(rest[..cut]) is { } head) parts.Add(head);
            rest = rest[cut..].TrimStart();
        }
        if (NonBlank(rest) is { } tail) parts.Add(tail);
    }

    /// <summary>
    /// After the last '.', '!', '?', '…' followed by white space, or the last line break, within the first
    /// <paramref name="maxLength"/> characters; only in the window's second half, so a short first sentence is not a message alone.
    /// </summary>
    private static int? LastSentenceEnd(string text, int maxLength)
    {
        for (var i = maxLength; i > maxLength / 2; i--)
        {
            if (text[i - 1] == '\n') return i;
            if (text[i - 1] is '.' or '!' or '?' or '…' && i < text.Length && char.IsWhiteSpace(text[i])) return i;
        }
        return null;
    }

    private static int? LastWordEnd(string text, int maxLength)
    {
        for (var i = maxLength; i > 0; i--)
            if (char.IsWhiteSpace(text[i]) && !char.IsWhiteSpace(text[i - 1])) return i;
        return null;
    }

    /// <summary>The last boundary between two grapheme clusters at or before <paramref name="maxLength"/>; inside a huge cluster, never inside a surrogate pair.</summary>
    private static int LastTextElementEnd(string text, int maxLength)
    {
        var end = 0;
        while (end < text.Length)
        {
            var next = end + StringInfo.GetNextTextElementLength(text, end);
            if (next > maxLength) break;
            end = next;
        }
        if (end > 0) return end;
        return char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
    }

    private static string? NonBlank(string s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    // A blank line: a line break, optional spaces or tabs, another line break (and any more of them).
    [GeneratedRegex(@"\n[^\S\n]*\n\s*")]
    private static partial Regex BlankLine();
}
