using HybridFlow.Application.Common.Security;
using HybridFlow.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace HybridFlow.Api.Security;

/// <summary>GET /metrics is open unless METRICS_API_KEY is set; then it needs <c>Authorization: Bearer &lt;METRICS_API_KEY&gt;</c>.</summary>
public sealed class MetricsKeyAttribute : Attribute, IAuthorizationFilter
{
    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<OperationsOptions>().MetricsApiKey;
        if (string.IsNullOrEmpty(expected)) return;

        var presented = AuthorizationHeader.BearerToken(context.HttpContext.Request.Headers.Authorization.ToString());
        if (SecretComparison.Matches(presented, expected)) return;

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        context.Result = new ObjectResult(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized", Detail = "Send METRICS_API_KEY as 'Authorization: Bearer <key>'.",
        }) { StatusCode = 401, ContentTypes = { "application/problem+json" } };
    }
}
