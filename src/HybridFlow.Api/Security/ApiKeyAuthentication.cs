using System.Security.Claims;
using System.Text.Encodings.Web;
using HybridFlow.Application.ApiKeys;
using HybridFlow.Application.Common.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HybridFlow.Api.Security;

/// <summary>Admin API keys: <c>Authorization: Bearer KEY</c> or <c>X-Api-Key: KEY</c>. No configured key means every call is refused.</summary>
public sealed class ApiKeyAuthenticationHandler : AuthenticationHandler<ApiKeyAuthenticationOptions>
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    public ApiKeyAuthenticationHandler(IOptionsMonitor<ApiKeyAuthenticationOptions> options, ILoggerFactory logger, UrlEncoder encoder)
        : base(options, logger, encoder) { }

    public const string TenantClaim = "tenant_id";
    /// <summary>The tenant key's id (ADMIN_API_KEY has none).</summary>
    public const string KeyIdClaim = "api_key_id";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = PresentedKey(Request);
        if (presented is null) return AuthenticateResult.NoResult();

        var adminKey = Options.AdminApiKey;
        if (SecretComparison.Matches(presented, adminKey))
            return Success("platform-admin", CallerRole.PlatformAdmin, null);

        // Tenant keys are looked up by hash, so the comparison never touches the key itself.
        if (!presented.StartsWith(ApiKeySecrets.Prefix, StringComparison.Ordinal) || presented.Length > 200)
            return AuthenticateResult.Fail("Invalid API key.");
        var store = Context.RequestServices.GetRequiredService<IApiKeyStore>();
        var identity = await store.FindActiveAsync(ApiKeySecrets.Hash(presented), Context.RequestAborted);
        return identity is null
            ? AuthenticateResult.Fail("Invalid API key.")
            : Success($"api-key-{identity.Id}", identity.Role, identity.TenantId, identity.Id);
    }

    private static AuthenticateResult Success(string name, CallerRole role, long? tenantId, long? keyId = null)
    {
        var claims = new List<Claim> { new(ClaimTypes.Name, name), new(ClaimTypes.Role, role.ToName()) };
        if (keyId is { } k) claims.Add(new Claim(KeyIdClaim, k.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (tenantId is { } t) claims.Add(new Claim(TenantClaim, t.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Response.WriteAsJsonAsync(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized", Detail = "Send the admin API key as 'Authorization: Bearer <key>' or 'X-Api-Key: <key>'.",
        }, (System.Text.Json.JsonSerializerOptions?)null, "application/problem+json");
    }

    /// <summary>The key as sent, from X-Api-Key or a Bearer token; null when there is none.</summary>
    internal static string? PresentedKey(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && header.ToString() is { Length: > 0 } key) return key.Trim();
        var auth = request.Headers.Authorization.ToString();
        return AuthorizationHeader.BearerToken(auth);
    }
}

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    public string? AdminApiKey { get; set; }
}
