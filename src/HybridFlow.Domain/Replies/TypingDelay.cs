using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Replies;

/// <summary>How long WhatsApp shows "typing…" before a bot message (Evolution's sendText <c>delay</c>).</summary>
public static class TypingDelay
{
    /// <summary>typing_ms_per_char × length, clamped to 0.5–6 s; null when the tenant turned the indicator off.</summary>
    public static TimeSpan? For(ConversationSettings settings, string text)
    {
        if (!settings.TypingIndicator) return null;
        var ms = (long)Math.Max(0, settings.TypingMsPerChar) * text.Length;
        var delay = TimeSpan.FromMilliseconds(Math.Min(ms, (long)ConversationSettings.TypingMax.TotalMilliseconds));
        return delay < ConversationSettings.TypingMin ? ConversationSettings.TypingMin
            : delay > ConversationSettings.TypingMax ? ConversationSettings.TypingMax
            : delay;
    }
}
