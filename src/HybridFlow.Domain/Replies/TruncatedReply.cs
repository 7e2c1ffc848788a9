namespace HybridFlow.Domain.Replies;

/// <summary>
/// A reply the model stopped at its token limit even with twice the tokens: what goes out is its complete sentences.
/// </summary>
public static class TruncatedReply
{
    private const string Ellipsis = "…";

    /// <summary>
    /// <paramref name="text"/> up to its last complete sentence: one ending in '.', '!', '?' or '…' (closing quotes,
    /// brackets and WhatsApp's * _ ~ may follow) before white space or the end, or a line that a line break ends. With
    /// none at all (one long unfinished sentence), the text up to its last whole word and "…"; empty when there is no word.
    /// </summary>
    public static string CutAtLastSentence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.TrimEnd();
        for (var i = trimmed.Length - 1; i >= 0; i--)
        {
            if (trimmed[i] == '\n' && trimmed[..i].TrimEnd() is { Length: > 0 } lines) return lines;
            if (!IsSentenceEnd(trimmed[i])) continue;
            var end = i + 1;
            while (end < trimmed.Length && IsCloser(trimmed[end])) end++;
            if (end == trimmed.Length || char.IsWhiteSpace(trimmed[end])) return trimmed[..end].Trim();
        }

        var lastSpace = trimmed.LastIndexOfAny([' ', '\t']);
        return lastSpace <= 0 ? "" : trimmed[..lastSpace].TrimEnd(',', ';', ':', '-', ' ') + Ellipsis;
    }

    private static bool IsSentenceEnd(char c) => c is '.' or '!' or '?' or '…';

    private static bool IsCloser(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’' or '»' or '*' or '_' or '~';
}
