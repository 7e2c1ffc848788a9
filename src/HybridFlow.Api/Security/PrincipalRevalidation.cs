using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;

namespace HybridFlow.Api.Security;

/// <summary>
/// Asks again, during a long request (an open event stream), whether its caller is still allowed in: an API key goes
/// through its authentication handler afresh (a revoked key fails, like on any new request), and a login cookie's user
/// through the same check as the cookie's own revalidation (deleted, locked, new role or password).
/// </summary>
public static class PrincipalRevalidation
{
    public static async Task<bool> IsStillValidAsync(HttpContext context, CancellationToken ct)
    {
        var principal = context.User;
        if (principal.IsCookieUser()) return await UserAuthentication.IsSessionValidAsync(context, principal, ct);
        if (principal.Identity?.AuthenticationType != ApiKeyAuthenticationHandler.SchemeName) return false;

        // A new handler: the request's own one remembers its first answer.
        var scheme = await context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>().GetSchemeAsync(ApiKeyAuthenticationHandler.SchemeName)
                     ?? throw new InvalidOperationException("The API key scheme is not registered.");
        var handler = ActivatorUtilities.CreateInstance<ApiKeyAuthenticationHandler>(context.RequestServices);
        await handler.InitializeAsync(scheme, context);
        var again = await handler.AuthenticateAsync();
        return again.Succeeded
               && again.Principal.Identity?.Name == principal.Identity.Name
               && again.Principal.FindFirstValue(ClaimTypes.Role) == principal.FindFirstValue(ClaimTypes.Role)
               && again.Principal.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim) == principal.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim);
    }
}
