using System.Security.Claims;
using HybridFlow.Application.Common.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace HybridFlow.Api.Security;

/// <summary>
/// Who reaches an endpoint at all; what each role may then do is the requests' own marker (AuthorizationBehavior).
/// <see cref="Operator"/> is the default policy (<c>[Authorize]</c>): an API key or a login, and a person who logged in
/// as an agent uses the inbox only. <see cref="AnyCaller"/> (the inbox, one's own login) lets agents in too. Routes under
/// /api and /sessions that match no endpoint answer under the same policies (<see cref="MapUnknownApiRoutes"/>), so an
/// unauthenticated caller learns nothing, not even a 404. Webhooks, the cron call, /health and /metrics have no
/// <c>[Authorize]</c> and check their own secrets.
/// </summary>
public static class AuthorizationPolicies
{
    public const string Operator = "operator";
    public const string AnyCaller = "any_caller";

    public static IServiceCollection AddHybridFlowAuthorization(this IServiceCollection services)
    {
        var anyCaller = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        var @operator = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new NotAnAgentUserRequirement()).Build();
        services.AddAuthorization(o =>
        {
            o.AddPolicy(AnyCaller, anyCaller);
            o.AddPolicy(Operator, @operator);
            o.DefaultPolicy = @operator;
        });
        services.AddSingleton<IAuthorizationHandler, NotAnAgentUserHandler>();
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return services;
    }

    /// <summary>A path under /api or /sessions that names no endpoint: 401 without a key or login, else 404 (403 for an agent outside the inbox).</summary>
    public static void MapUnknownApiRoutes(this IEndpointRouteBuilder endpoints)
    {
        foreach (var prefix in new[] { "/api", "/sessions" })
            endpoints.MapFallback(prefix + "/{**path}", NoSuchRoute).RequireAuthorization(Operator);
        foreach (var prefix in new[] { "/api/inbox", "/api/auth" })
            endpoints.MapFallback(prefix + "/{**path}", NoSuchRoute).RequireAuthorization(AnyCaller);
    }

    private static Task NoSuchRoute(HttpContext context) =>
        UserAuthentication.WriteProblemAsync(context, StatusCodes.Status404NotFound, "Not Found", "There is no such route.");
}

/// <summary>A person logged in with the agent role works in the inbox; agent API keys keep what their role allows.</summary>
public sealed class NotAnAgentUserRequirement : IAuthorizationRequirement;

public sealed class NotAnAgentUserHandler : AuthorizationHandler<NotAnAgentUserRequirement>
{
    public const string Refusal = "Agents use the inbox (/api/inbox) only.";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, NotAnAgentUserRequirement requirement)
    {
        if (context.User.IsCookieUser() && context.User.FindFirstValue(ClaimTypes.Role) == CallerRoleNames.Agent)
            context.Fail(new AuthorizationFailureReason(this, Refusal));
        else
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

/// <summary>Refusals as problem+json: 401 asks for a key (as the API-key scheme words it), 403 says why.</summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            await context.ChallengeAsync(ApiKeyAuthenticationHandler.SchemeName);
            return;
        }
        if (authorizeResult.Forbidden)
        {
            var reason = authorizeResult.AuthorizationFailure?.FailureReasons.Select(r => r.Message).FirstOrDefault() ?? "Your role may not do this.";
            await UserAuthentication.WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden", reason);
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
