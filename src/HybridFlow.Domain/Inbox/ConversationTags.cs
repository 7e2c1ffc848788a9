namespace HybridFlow.Domain.Inbox;

/// <summary>A conversation's tags: at most <see cref="MaxCount"/>, each 1-<see cref="MaxLength"/> characters, lower-cased, trimmed, without repeats.</summary>
public static class ConversationTags
{
    public const int MaxCount = 20;
    public const int MaxLength = 32;

    /// <summary>The tag as it is stored and matched, or null when it is not one (blank, too long, control characters).</summary>
    public static string? TryNormalize(string? tag)
    {
        var t = tag?.Trim().ToLowerInvariant();
        if (string.IsNullOrEmpty(t) || t.Length > MaxLength || t.Any(char.IsControl)) return null;
        return t;
    }

    /// <summary>Normalises each tag and drops repeats, keeping the first order; throws <see cref="ArgumentException"/> for an invalid list.</summary>
    public static IReadOnlyList<string> Normalize(IEnumerable<string> tags)
    {
        var normalized = new List<string>();
        foreach (var tag in tags)
        {
            var t = TryNormalize(tag) ?? throw new ArgumentException($"A tag has 1-{MaxLength} characters and no control characters.", nameof(tags));
            if (!normalized.Contains(t, StringComparer.Ordinal)) normalized.Add(t);
        }
        if (normalized.Count > MaxCount) throw new ArgumentException($"A conversation has at most {MaxCount} tags.", nameof(tags));
        return normalized;
    }
}
