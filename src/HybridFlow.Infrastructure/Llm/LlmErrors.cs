using System.Text.Json;
using System.Text.RegularExpressions;
using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Turns provider failures into <see cref="ReplyGenerationException"/>s. Messages carry only the provider, model, status,
/// the provider's error type/code and request id: SDK exceptions for HTTP errors are not attached as inner exceptions
/// because their text quotes response bodies, which can echo a masked API key or parts of the conversation.
/// </summary>
internal static partial class LlmErrors
{
    public static bool IsPermanentStatus(int status) => status switch
    {
        // Timeout, conflict, too-early and rate limiting clear up on their own.
        408 or 409 or 425 or 429 => false,
        >= 400 and < 500 => true,
        _ => false,
    };

    /// <summary>Rate limited (429, both providers) or overloaded (Anthropic's 529): the provider asks everyone to slow down.</summary>
    public static bool IsRateLimitStatus(int status) => status is 429 or 529;

    public static ReplyGenerationException FromStatus(
        string provider, string model, int status, string? responseBody, string? requestId, TimeSpan? retryAfter = null)
    {
        var kind = ErrorKind(responseBody);
        var rateLimited = IsRateLimitStatus(status);
        var message = $"{provider} returned HTTP {status} for model '{model}'"
            + (kind is null ? "" : $" ({kind})")
            + (IsSafeToken(requestId) ? $", request id {requestId}" : "")
            + (rateLimited && retryAfter is { } wait ? $", retry after {wait.TotalSeconds:0.###} s" : "")
            + ".";
        return new ReplyGenerationException(message, IsPermanentStatus(status))
        {
            IsRateLimited = rateLimited,
            RetryAfter = rateLimited ? retryAfter : null,
        };
    }

    public static ReplyGenerationException Timeout(string provider, string model, TimeSpan timeout, Exception inner) =>
        new($"{provider} did not answer for model '{model}' within {timeout.TotalSeconds:0.###} s (LLM_TIMEOUT).", isPermanent: false, inner);

    public static ReplyGenerationException Unreachable(string provider, string model, Exception inner) =>
        new($"{provider} could not be reached for model '{model}'.", isPermanent: false, inner);

    public static ReplyGenerationException UnreadableResponse(string provider, string model, Exception? inner) =>
        new($"{provider} sent a response for model '{model}' that could not be read.", isPermanent: false, inner);

    public static ReplyGenerationException EmptyReply(string provider, string model) =>
        new($"{provider} model '{model}' returned an empty reply.", isPermanent: false);

    /// <summary>The <c>error.type</c>/<c>error.code</c> identifiers both OpenAI and Anthropic put in error bodies.</summary>
    private static string? ErrorKind(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var parts = new[] { "type", "code" }
                .Select(name => error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null)
                .Where(IsSafeToken)
                .Distinct(StringComparer.Ordinal)
                .ToArray();
            return parts.Length == 0 ? null : string.Join('/', parts);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool IsSafeToken(string? value) => value is not null && SafeToken().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,80}$")]
    private static partial Regex SafeToken();
}
