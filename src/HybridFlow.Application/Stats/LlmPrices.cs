using System.Globalization;

namespace HybridFlow.Application.Stats;

/// <summary>What a model's tokens cost, per million tokens, in the prices' own currency (LLM_PRICES).</summary>
public sealed record TokenPrice(decimal InputPerMillion, decimal OutputPerMillion)
{
    public decimal Cost(long inputTokens, long outputTokens) =>
        Math.Round((inputTokens * InputPerMillion + outputTokens * OutputPerMillion) / 1_000_000m, 6);
}

/// <summary>
/// The platform's prices per <c>provider:model</c> (LLM_PRICES): nothing stores prices, so tokens become money only for
/// the models priced here. Written <c>openai:gpt-4o-mini=0.15/0.60; anthropic:claude-haiku-4-5=1/5</c>: input, then
/// output, per million tokens.
/// </summary>
public sealed class LlmPrices
{
    public static readonly LlmPrices None = new(new Dictionary<string, TokenPrice>());

    private readonly IReadOnlyDictionary<string, TokenPrice> _byModel;

    private LlmPrices(IReadOnlyDictionary<string, TokenPrice> byModel) => _byModel = byModel;

    public bool IsEmpty => _byModel.Count == 0;

    /// <summary>The price of a provider's model; null when LLM_PRICES does not name it.</summary>
    public TokenPrice? Find(string provider, string? model) =>
        model is null ? null : _byModel.GetValueOrDefault($"{provider}:{model}");

    /// <summary>Reads LLM_PRICES; a malformed entry is a <see cref="FormatException"/> naming it.</summary>
    public static LlmPrices Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return None;
        var byModel = new Dictionary<string, TokenPrice>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in text.Split([';', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = entry.LastIndexOf('=');
            var name = equals > 0 ? entry[..equals].Trim() : "";
            var prices = equals > 0 ? entry[(equals + 1)..].Split('/', StringSplitOptions.TrimEntries) : [];
            var colon = name.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == name.Length - 1 || prices.Length != 2
                || !TryPrice(prices[0], out var input) || !TryPrice(prices[1], out var output))
                throw new FormatException(
                    $"LLM_PRICES entry \"{entry}\" is not provider:model=input/output (per million tokens, e.g. openai:gpt-4o-mini=0.15/0.60).");
            byModel[name] = new TokenPrice(input, output);
        }
        return new LlmPrices(byModel);
    }

    private static bool TryPrice(string text, out decimal price) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out price) && price <= 1_000_000m;
}
