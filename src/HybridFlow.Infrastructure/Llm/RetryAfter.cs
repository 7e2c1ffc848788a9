using System.Globalization;

namespace HybridFlow.Infrastructure.Llm;

/// <summary>
/// Reads how long a provider asks us to wait: <c>retry-after-ms</c> (OpenAI, Anthropic) or <c>Retry-After</c> in seconds
/// or as an HTTP date (RFC 9110). Unreadable, negative or absurd values count as absent.
/// </summary>
internal static class RetryAfter
{
    private static readonly TimeSpan Longest = TimeSpan.FromHours(1);

    public static TimeSpan? Parse(string? retryAfterMs, string? retryAfter, DateTimeOffset now)
    {
        if (double.TryParse(retryAfterMs?.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && double.IsFinite(ms) && ms >= 0)
            return Bounded(TimeSpan.FromMilliseconds(Math.Min(ms, Longest.TotalMilliseconds)));

        var raw = retryAfter?.Trim();
        if (string.IsNullOrEmpty(raw)) return null;
        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return double.IsFinite(seconds) && seconds >= 0 ? Bounded(TimeSpan.FromSeconds(Math.Min(seconds, Longest.TotalSeconds))) : null;
        if (DateTimeOffset.TryParseExact(raw, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            return Bounded(date - now < TimeSpan.Zero ? TimeSpan.Zero : date - now);
        return null;
    }

    private static TimeSpan? Bounded(TimeSpan wait) => wait <= Longest ? wait : Longest;
}

/// <summary>
/// The Anthropic SDK's exceptions carry no response headers, so this handler notes the Retry-After of a 429/529 for the
/// call in progress on this async flow (<see cref="Begin"/>, set by the generator around the call).
/// </summary>
internal sealed class RetryAfterCaptureHandler : DelegatingHandler
{
    private static readonly AsyncLocal<Capture?> Current = new();

    public sealed class Capture
    {
        public TimeSpan? RetryAfter { get; internal set; }
    }

    /// <summary>Starts capturing for the calls made on this flow; call at the top of an async method so it stays inside it.</summary>
    public static Capture Begin() => Current.Value = new Capture();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (Current.Value is { } capture && LlmErrors.IsRateLimitStatus((int)response.StatusCode))
        {
            capture.RetryAfter = RetryAfter.Parse(Header(response, "retry-after-ms"), Header(response, "retry-after"), DateTimeOffset.UtcNow);
        }
        return response;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
