using System.Security.Claims;
using HybridFlow.Application.Common.Security;

namespace HybridFlow.Api.Security;

/// <summary>
/// The one place that keeps logged-in agents to the inbox: a cookie user with the agent role may call /api/auth/* and
/// /api/inbox/* only; any other admin route answers 403. Agent API keys keep what their role allows elsewhere.
/// </summary>
public sealed class AgentUserAreaMiddleware
{
    private readonly RequestDelegate _next;

    public AgentUserAreaMiddleware(RequestDelegate next) => _next = next;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var isAdminArea = path.StartsWithSegments("/api") || path.StartsWithSegments("/sessions");
        if (isAdminArea && context.User.IsCookieUser() && context.User.FindFirstValue(ClaimTypes.Role) == CallerRoleNames.Agent
            && !path.StartsWithSegments("/api/auth") && !path.StartsWithSegments("/api/inbox"))
        {
            await UserAuthentication.WriteProblemAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                "Agents use the inbox (/api/inbox) only.");
            return;
        }
        await _next(context);
    }
}
