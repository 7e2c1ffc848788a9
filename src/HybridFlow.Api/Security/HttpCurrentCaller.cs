using System.Globalization;
using System.Security.Claims;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Api.Security;

/// <summary>The caller as the API-key handler authenticated it.</summary>
public sealed class HttpCurrentCaller : ICurrentCaller
{
    private readonly IHttpContextAccessor _http;

    public HttpCurrentCaller(IHttpContextAccessor http) => _http = http;

    private ClaimsPrincipal User => _http.HttpContext?.User ?? throw new InvalidOperationException("No request in progress.");

    public CallerRole Role =>
        User.FindFirstValue(ClaimTypes.Role) is { } role ? CallerRoleNames.Parse(role) : throw new ForbiddenException("Not authenticated.");

    public long? TenantId =>
        User.FindFirstValue(ApiKeyAuthenticationHandler.TenantClaim) is { } t ? long.Parse(t, CultureInfo.InvariantCulture) : null;

    public long? UserId =>
        User.FindFirstValue(UserClaim) is { } u ? long.Parse(u, CultureInfo.InvariantCulture) : null;

    public long? ApiKeyId =>
        User.FindFirstValue(ApiKeyAuthenticationHandler.KeyIdClaim) is { } k ? long.Parse(k, CultureInfo.InvariantCulture) : null;

    /// <summary>The claim the auth cookie carries the user's id in (API keys have none).</summary>
    public const string UserClaim = "user_id";
}
