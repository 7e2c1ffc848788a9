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
        if (IsAccountExhausted(status, kind, responseBody))
        {
            return new ReplyGenerationException(
                $"{provider} account is out of credit (HTTP {status}"
                + (kind is null ? "" : $", {kind}")
                + $") for model '{model}'"
                + (IsSafeToken(requestId) ? $", request id {requestId}" : "")
                + ": nothing is answered until the account is topped up.",
                isPermanent: true)
            {
                IsAccountExhausted = true,
            };
        }

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

    /// <summary>
    /// <see cref="FromStatus"/> for a call made with the tenant's own key: a 401/403 says that key was rejected
    /// (permanent, so the tenant fixes it), and no message ever carries the key.
    /// </summary>
    public static ReplyGenerationException FromStatus(
        string provider, string model, int status, string? responseBody, string? requestId, TimeSpan? retryAfter, bool tenantKey, string? apiKey)
    {
        if (tenantKey && status is 401 or 403)
        {
            return new ReplyGenerationException(
                Scrub($"{provider} rejected the tenant's own API key (llm_api_key) with HTTP {status} for model '{model}'.", apiKey),
                isPermanent: true);
        }

        var error = FromStatus(provider, model, status, responseBody, requestId, retryAfter);
        var scrubbed = Scrub(error.Message, apiKey);
        return ReferenceEquals(scrubbed, error.Message)
            ? error
            : new ReplyGenerationException(scrubbed, error.IsPermanent)
            {
                IsRateLimited = error.IsRateLimited, RetryAfter = error.RetryAfter, IsAccountExhausted = error.IsAccountExhausted,
            };
    }

    /// <summary>The outbound rules stopped the call (<see cref="Security.OutboundAddressGuard.BlockedBy"/>): a blocked address, a redirect, an answer over its cap.</summary>
    public static ReplyGenerationException BaseUrlBlocked(string provider, string model, Security.OutboundCallRefusedException refused) =>
        new(refused.RequestSent
                ? $"{provider} call for model '{model}' refused: {refused.Message}."
                : $"{provider} was not called for model '{model}': the tenant's llm_base_url {Security.OutboundAddressGuard.PrivateAddressRefusal}.",
            isPermanent: true);

    /// <summary>Removes the key, should any text ever carry it (OpenAI echoes a part of a wrong key in its error body).</summary>
    public static string Scrub(string text, string? apiKey) =>
        string.IsNullOrEmpty(apiKey) || apiKey.Length < 4 || !text.Contains(apiKey, StringComparison.Ordinal)
            ? text
            : text.Replace(apiKey, "[redacted]", StringComparison.Ordinal);

    public static ReplyGenerationException Timeout(string provider, string model, TimeSpan timeout, Exception inner) =>
        new($"{provider} did not answer for model '{model}' within {timeout.TotalSeconds:0.###} s (LLM_TIMEOUT).", isPermanent: false, inner);

    public static ReplyGenerationException Unreachable(string provider, string model, Exception inner) =>
        new($"{provider} could not be reached for model '{model}'.", isPermanent: false, inner);

    public static ReplyGenerationException UnreadableResponse(string provider, string model, Exception? inner) =>
        new($"{provider} sent a response for model '{model}' that could not be read.", isPermanent: false, inner);

    public static ReplyGenerationException EmptyReply(string provider, string model) =>
        new($"{provider} model '{model}' returned an empty reply.", isPermanent: false);

    /// <summary>
    /// An account failure, not a rate limit: OpenAI answers 429 with <c>error.code</c>/<c>error.type</c>
    /// <c>insufficient_quota</c> ("You exceeded your current quota…"); Anthropic answers 400 <c>invalid_request_error</c>
    /// "Your credit balance is too low to access the Anthropic API…".
    /// </summary>
    private static bool IsAccountExhausted(int status, string? kind, string? body) =>
        (status == 429 && kind is not null && kind.Split('/').Contains("insufficient_quota", StringComparer.Ordinal))
        || (status == 400 && ErrorMessage(body) is { } message && message.Contains("credit balance is too low", StringComparison.OrdinalIgnoreCase));

    /// <summary><c>error.message</c>, only to recognise it: it is never copied into an exception (it may quote the request).</summary>
    private static string? ErrorMessage(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                   && document.RootElement.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object
                   && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? message.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

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
