using HybridFlow.Application.Common.Interfaces;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace HybridFlow.Api.Security;

/// <summary>IBrowserSession over the cookie scheme and IAntiforgery.</summary>
public sealed class CookieBrowserSession : IBrowserSession
{
    private readonly IHttpContextAccessor _http;
    private readonly IAntiforgery _antiforgery;
    private readonly TimeProvider _time;

    public CookieBrowserSession(IHttpContextAccessor http, IAntiforgery antiforgery, TimeProvider time)
    {
        _http = http;
        _antiforgery = antiforgery;
        _time = time;
    }

    private HttpContext Context => _http.HttpContext ?? throw new InvalidOperationException("No request in progress.");

    public async Task SignInAsync(OperatorAccount account, CancellationToken ct)
    {
        var principal = UserAuthentication.PrincipalFor(account);
        // A session cookie (gone when the browser closes) whose ticket also ends after 8 idle hours.
        var properties = new AuthenticationProperties { IsPersistent = false };
        UserAuthentication.MarkChecked(properties, _time.GetUtcNow());
        await Context.SignInAsync(UserAuthentication.CookieScheme, principal, properties);
        // The CSRF token is bound to the user, so it is made for the one just logged in, not for the anonymous caller.
        Context.User = principal;
        RefreshCsrfToken();
    }

    public async Task SignOutAsync(CancellationToken ct)
    {
        await Context.SignOutAsync(UserAuthentication.CookieScheme);
        Context.Response.Cookies.Delete(UserAuthentication.CsrfCookie, new CookieOptions { Path = "/" });
    }

    public void RefreshCsrfToken()
    {
        var tokens = _antiforgery.GetAndStoreTokens(Context);
        Context.Response.Cookies.Append(UserAuthentication.CsrfCookie, tokens.RequestToken!, new CookieOptions
        {
            HttpOnly = false,
            SameSite = SameSiteMode.Strict,
            Secure = Context.Request.IsHttps,
            Path = "/",
        });
    }
}
