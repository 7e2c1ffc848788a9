using System.Globalization;
using System.Security.Claims;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Users.Queries;
using HybridFlow.Infrastructure.Settings;
using MediatR;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Security;

/// <summary>
/// Who is calling: machines send an API key (X-Api-Key or Authorization), people carry the login cookie. The default
/// scheme is a policy that picks the API-key scheme whenever one of those headers is present, else the cookie, so
/// [Authorize] and ICurrentCaller work the same for both.
/// </summary>
public static class UserAuthentication
{
    public const string DefaultScheme = "ApiKeyOrCookie";
    public const string CookieScheme = "Cookie";
    public const string CookieName = "hybridflow_auth";
    /// <summary>Readable by the page's script, which echoes it in <see cref="CsrfHeader"/>.</summary>
    public const string CsrfCookie = "XSRF-TOKEN";
    public const string CsrfHeader = "X-XSRF-TOKEN";
    /// <summary>The antiforgery cookie token that the request token is checked against (HttpOnly).</summary>
    public const string AntiforgeryCookie = "hybridflow_csrf";
    public const string SecurityStampClaim = "security_stamp";
    public static readonly TimeSpan CookieLifetime = TimeSpan.FromHours(8);
    private const string CheckedAtItem = "hf_checked_at";

    public static IServiceCollection AddHybridFlowAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        // How often a login cookie is checked against the user (deleted, locked, new role or password); 0 = every request.
        var revalidateEvery = HostSettings.Read(configuration).AuthRevalidate;

        services.AddAntiforgery(o =>
        {
            o.HeaderName = CsrfHeader;
            o.Cookie.Name = AntiforgeryCookie;
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        services.AddScoped<IBrowserSession, CookieBrowserSession>();
        // Logins live server-side (the cookie carries a key): logout and an admin end them at once.
        services.AddSingleton<LoginSessionTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<LoginSessionTicketStore>((o, store) => o.SessionStore = store);

        services.AddAuthentication(DefaultScheme)
            .AddPolicyScheme(DefaultScheme, "API key or login cookie", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) || context.Request.Headers.ContainsKey("Authorization")
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : CookieScheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName,
                o => o.AdminApiKey = configuration["ADMIN_API_KEY"])
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = CookieLifetime;
                o.SlidingExpiration = true;
                // An API answers, it does not redirect to a login page.
                o.Events.OnRedirectToLogin = context => WriteProblemAsync(context.HttpContext, 401, "Unauthorized", "Log in (POST /api/auth/login) or send an API key.");
                o.Events.OnRedirectToAccessDenied = context => WriteProblemAsync(context.HttpContext, 403, "Forbidden", "Your role may not do this.");
                o.Events.OnValidatePrincipal = context => RevalidateAsync(context, revalidateEvery);
            });
        return services;
    }

    /// <summary>True for a person logged in with the cookie (API keys carry no user id).</summary>
    public static bool IsCookieUser(this ClaimsPrincipal principal) =>
        principal.Identity?.IsAuthenticated == true && principal.HasClaim(c => c.Type == HttpCurrentCaller.UserClaim);

    public static ClaimsPrincipal PrincipalFor(OperatorAccount account)
    {
        var id = account.Id.ToString(CultureInfo.InvariantCulture);
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, id),
            new(ClaimTypes.Name, "user-" + id),
            new(ClaimTypes.Role, Application.Common.Security.CallerRoleNames.ToName(account.Role)),
            new(HttpCurrentCaller.UserClaim, id),
            new(SecurityStampClaim, account.SecurityStamp),
        };
        if (account.TenantId is { } tenant)
            claims.Add(new Claim(ApiKeyAuthenticationHandler.TenantClaim, tenant.ToString(CultureInfo.InvariantCulture)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme));
    }

    public static void MarkChecked(AuthenticationProperties properties, DateTimeOffset now) =>
        properties.Items[CheckedAtItem] = now.ToString("O", CultureInfo.InvariantCulture);

    /// <summary>Every <paramref name="interval"/>, the cookie's user and security stamp are checked; a stale cookie is rejected and cleared.</summary>
    private static async Task RevalidateAsync(CookieValidatePrincipalContext context, TimeSpan interval)
    {
        var now = context.HttpContext.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
        var checkedAt = context.Properties.Items.TryGetValue(CheckedAtItem, out var raw)
                        && DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var at)
            ? at
            : context.Properties.IssuedUtc;
        if (checkedAt is { } last && now - last < interval) return;

        // A principal read from the login store was checked live (user, stamp, expiry) by that very read.
        var valid = context.Principal is { } principal && LoginSessionOf(principal) is not null
                    || await IsSessionValidAsync(context.HttpContext, context.Principal, context.HttpContext.RequestAborted);
        if (!valid)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
            return;
        }
        MarkChecked(context.Properties, now);
        context.ShouldRenew = true;
    }

    /// <summary>The server-side login a cookie principal was read from; null for API keys.</summary>
    public static long? LoginSessionOf(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(LoginSessionTicketStore.SessionIdClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    /// <summary>Whether a login's user may go on (see <see cref="CheckUserSessionQuery"/>); open event streams ask it too.</summary>
    internal static async Task<bool> IsSessionValidAsync(HttpContext context, ClaimsPrincipal? principal, CancellationToken ct) =>
        long.TryParse(principal?.FindFirstValue(HttpCurrentCaller.UserClaim), NumberStyles.None, CultureInfo.InvariantCulture, out var userId)
        && await context.RequestServices.GetRequiredService<IMediator>()
            .Send(new CheckUserSessionQuery(userId, principal!.FindFirstValue(SecurityStampClaim), LoginSessionOf(principal)), ct);

    internal static Task WriteProblemAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ProblemDetails { Status = status, Title = title, Detail = detail },
            (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json", context.RequestAborted);
    }
}
