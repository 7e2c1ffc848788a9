using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Replies;

/// <summary>
/// Trims a chat's history (already limited to history_messages, oldest first) to a token budget, so one long chat
/// cannot make every reply expensive. Tokens are estimated, not counted: a tokenizer per model would cost more than
/// it saves. The estimate is ceil(characters / 4) per turn (about right for English and Portuguese with the GPT and
/// Claude tokenizers; it overestimates for code and underestimates for CJK), plus <see cref="ImageTokens"/> for a
/// turn with an image. The system prompt is not counted: it is the tenant's, and the stable prefix providers cache.
/// The oldest turns go first; the newest customer turn always stays (cut to the budget if it alone exceeds it), and
/// what is kept keeps its order, so the prompt stays system first, then oldest to newest (the cacheable prefix).
/// </summary>
public static class HistoryBudget
{
    public const int CharsPerToken = 4;

    /// <summary>What one image costs, roughly (OpenAI's high-detail 512 px tiles, Anthropic's ~1,000 for a phone photo).</summary>
    public const int ImageTokens = 1_000;

    public static int EstimateTokens(ConversationTurn turn) =>
        EstimateTokens(turn.Text) + (turn.Image is null ? 0 : ImageTokens);

    public static int EstimateTokens(string text) => (text.Length + CharsPerToken - 1) / CharsPerToken;

    /// <summary>The newest turns that fit in <paramref name="budget"/> tokens; a budget of 0 or less trims nothing.</summary>
    public static IReadOnlyList<ConversationTurn> Trim(IReadOnlyList<ConversationTurn> history, int budget)
    {
        if (budget <= 0 || history.Count == 0) return history;

        var newestCustomer = -1;
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (history[i].Role != ConversationRole.Customer) continue;
            newestCustomer = i;
            break;
        }

        var left = budget;
        var kept = new bool[history.Count];
        if (newestCustomer >= 0)
        {
            var cost = EstimateTokens(history[newestCustomer]);
            if (cost >= budget)
                return [CutToBudget(history[newestCustomer], budget)];
            left -= cost;
            kept[newestCustomer] = true;
        }

        // Newest to oldest; the first turn that does not fit ends it, so what is kept is the chat's most recent stretch.
        for (var i = history.Count - 1; i >= 0; i--)
        {
            if (kept[i]) continue;
            var cost = EstimateTokens(history[i]);
            if (cost > left) break;
            left -= cost;
            kept[i] = true;
        }

        var trimmed = new List<ConversationTurn>(history.Count);
        for (var i = 0; i < history.Count; i++)
            if (kept[i]) trimmed.Add(history[i]);
        return trimmed.Count == history.Count ? history : trimmed;
    }

    /// <summary>Keeps the start of the text (where a customer states what they want); an image that alone exceeds the budget is dropped.</summary>
    private static ConversationTurn CutToBudget(ConversationTurn turn, int budget)
    {
        var image = turn.Image is not null && budget > ImageTokens ? turn.Image : null;
        var textBudget = Math.Max(0, budget - (image is null ? 0 : ImageTokens));
        var maxChars = textBudget * CharsPerToken;
        if (turn.Text.Length <= maxChars) return turn with { Image = image };
        var cut = maxChars;
        // Never split a surrogate pair (an emoji).
        if (cut > 0 && char.IsHighSurrogate(turn.Text[cut - 1])) cut--;
        return turn with { Text = turn.Text[..cut], Image = image };
    }
}
