using System.Globalization;
using System.Threading.RateLimiting;
using HybridFlow.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace HybridFlow.Api.Security;

/// <summary>
/// ASP.NET Core rate limiting, one fixed one-minute window per partition: the admin area (/api, /sessions) per API key
/// (SHA-256 of the key once it authenticated, or the logged-in user's id; "anonymous" plus the client IP otherwise, so guessing keys does not
/// buy fresh budgets). Refusals are 429 with Retry-After; Evolution retries those.
/// Webhooks are limited where the delivery is authenticated (<see cref="WebhookThrottle"/>): per instance once it proved
/// itself, per client IP for refusals; here the instance in the path is not yet known to be the caller's.
/// </summary>
public static class RateLimiting
{
    private const int MaxPartitionKeyLength = 128;

    public static IServiceCollection AddHybridFlowRateLimiting(this IServiceCollection services, OperationsOptions options)
    {
        services.AddSingleton<HybridFlow.Application.Common.Interfaces.IWebhookThrottle>(_ => new WebhookThrottle(options));
        services.AddSingleton(_ => new ApiKeyLookupBudget(options));
        services.AddSingleton<HybridFlow.Application.Common.Interfaces.IPreviewReplyThrottle>(_ => new PreviewReplyThrottle(options));
        return services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => Partition(context, options));
            o.OnRejected = OnRejectedAsync;
        });
    }

    private static RateLimitPartition<string> Partition(HttpContext context, OperationsOptions options)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/sessions"))
            return Window("api|" + Caller(context), options.ApiRequestsPerMinute);
        return RateLimitPartition.GetNoLimiter("unlimited");
    }

    /// <summary>A one-minute fixed window of <paramref name="perMinute"/> for <paramref name="key"/>; 0 or less never limits.</summary>
    internal static RateLimitPartition<string> Window(string key, int perMinute)
    {
        if (perMinute <= 0) return RateLimitPartition.GetNoLimiter("unlimited");
        if (key.Length > MaxPartitionKeyLength) key = key[..MaxPartitionKeyLength];
        return RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = perMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
    }

    private static string Caller(HttpContext context)
    {
        if (context.User.Identity?.IsAuthenticated != true) return "anonymous|" + ClientAddress.Of(context);
        // A key's budget is its own: the tenant key by id, ADMIN_API_KEY (authenticated with no id) as one.
        if (context.User.FindFirst(ApiKeyAuthenticationHandler.KeyIdClaim) is { } keyId) return "key|" + keyId.Value;
        if (ApiKeyAuthenticationHandler.PresentedKey(context.Request) is not null) return "key|admin";
        // A person logged in with the cookie has a budget of their own; logins themselves are anonymous, per IP.
        return context.User.FindFirst(HttpCurrentCaller.UserClaim) is { } user ? "user|" + user.Value : "anonymous|" + ClientAddress.Of(context);
    }

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        var seconds = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 60;
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = $"The rate limit was reached; retry after {seconds} seconds.",
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", ct);
    }
}
