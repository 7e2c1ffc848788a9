using System.Security.Cryptography;
using System.Text;
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

        var authorization = context.HttpContext.Request.Headers.Authorization.ToString();
        var presented = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "";
        if (presented.Length > 0
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
            return;

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        context.Result = new ObjectResult(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized", Detail = "Send METRICS_API_KEY as 'Authorization: Bearer <key>'.",
        }) { StatusCode = 401, ContentTypes = { "application/problem+json" } };
    }
}
