using Microsoft.AspNetCore.Antiforgery;

namespace HybridFlow.Api.Security;

/// <summary>
/// CSRF for people: a cookie-authenticated request that changes state must echo the XSRF-TOKEN cookie in X-XSRF-TOKEN
/// (IAntiforgery checks it against its own HttpOnly cookie and the user). API keys are never checked: a browser does
/// not add them by itself. The login call needs no token.
/// </summary>
public sealed class CsrfMiddleware
{
    public const string LoginPath = "/api/auth/login";
    private readonly RequestDelegate _next;

    public CsrfMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context, IAntiforgery antiforgery)
    {
        var method = context.Request.Method;
        var changesState = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method));
        if (changesState && context.User.IsCookieUser() && !context.Request.Path.Equals(LoginPath, StringComparison.OrdinalIgnoreCase)
            && !await antiforgery.IsRequestValidAsync(context))
        {
            await UserAuthentication.WriteProblemAsync(context, StatusCodes.Status403Forbidden, "CSRF check failed",
                $"Send the {UserAuthentication.CsrfCookie} cookie's value in the {UserAuthentication.CsrfHeader} header.");
            return;
        }
        await _next(context);
    }
}
