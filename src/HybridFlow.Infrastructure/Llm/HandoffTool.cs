using System.Text.Json;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>The <c>request_human</c> tool both providers are offered, and how its call becomes a <see cref="HandoffRequest"/>.</summary>
internal static class HandoffTool
{
    public const string Name = "request_human";

    public const string Description =
        "Hand the conversation to a person on the business's team. Call it when the customer asks to talk to a person, "
        + "or when you cannot help with what they need. Do not write a reply when you call it.";

    public const string ReasonParameter = "reason";
    public const string ReasonDescription = "why the customer needs a person";

    /// <summary>What a call whose arguments cannot be read (malformed JSON, no reason) is recorded with.</summary>
    public const string GenericReason = "The model asked for a person without a readable reason.";

    /// <summary>Long enough for a sentence or two; the reason goes to the timeline and the notify payload.</summary>
    private const int MaxReasonLength = 500;

    /// <summary>The JSON schema of the arguments: one required string, no others.</summary>
    public static readonly string ParametersSchema = JsonSerializer.Serialize(new
    {
        type = "object",
        properties = new Dictionary<string, object>
        {
            [ReasonParameter] = new { type = "string", description = ReasonDescription },
        },
        required = new[] { ReasonParameter },
        additionalProperties = false,
    });

    /// <summary>OpenAI hands the arguments over as a JSON string.</summary>
    public static HandoffRequest FromArguments(string? argumentsJson)
    {
        if (string.IsNullOrWhiteSpace(argumentsJson)) return new HandoffRequest(GenericReason);
        try
        {
            using var document = JsonDocument.Parse(argumentsJson);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty(ReasonParameter, out var reason)
                ? FromReason(reason)
                : new HandoffRequest(GenericReason);
        }
        catch (JsonException)
        {
            return new HandoffRequest(GenericReason);
        }
    }

    /// <summary>Anthropic hands the input over already parsed.</summary>
    public static HandoffRequest FromInput(IReadOnlyDictionary<string, JsonElement>? input) =>
        input is not null && input.TryGetValue(ReasonParameter, out var reason) ? FromReason(reason) : new HandoffRequest(GenericReason);

    private static HandoffRequest FromReason(JsonElement reason)
    {
        var text = reason.ValueKind == JsonValueKind.String ? reason.GetString()?.Trim() : null;
        if (string.IsNullOrEmpty(text)) return new HandoffRequest(GenericReason);
        return new HandoffRequest(text.Length <= MaxReasonLength ? text : text[..MaxReasonLength] + "…");
    }
}
