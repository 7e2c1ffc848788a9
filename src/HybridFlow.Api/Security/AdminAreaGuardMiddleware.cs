using Microsoft.AspNetCore.Authentication;

namespace HybridFlow.Api.Security;

/// <summary>
/// Nothing under /api or /sessions answers without an API key or a login cookie, not even a 404 for a route that does not
/// exist: an unauthenticated caller learns nothing about what is there. Logging in and out need neither.
/// </summary>
public sealed class AdminAreaGuardMiddleware
{
    private readonly RequestDelegate _next;

    public AdminAreaGuardMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var isAdminArea = path.StartsWithSegments("/api") || path.StartsWithSegments("/sessions");
        if (isAdminArea && context.User.Identity?.IsAuthenticated != true && !IsOpenToEveryone(path))
        {
            await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
            return;
        }
        await _next(context);
    }

    private static bool IsOpenToEveryone(PathString path) =>
        path.Equals(CsrfMiddleware.LoginPath, StringComparison.OrdinalIgnoreCase) || path.Equals("/api/auth/logout", StringComparison.OrdinalIgnoreCase);
}
