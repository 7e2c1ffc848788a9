using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Security;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace HybridFlow.Api.Security;

/// <summary>Guards the cron endpoint with <c>X-Cron-Secret</c>; without CRON_SECRET configured the endpoint refuses everyone.</summary>
public sealed class CronSecretAttribute : Attribute, IAuthorizationFilter
{
    public const string HeaderName = "X-Cron-Secret";

    public void OnAuthorization(AuthorizationFilterContext context)
    {
        var expected = context.HttpContext.RequestServices.GetRequiredService<HybridFlowSettings>().CronSecret;
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (SecretComparison.Matches(presented, expected)) return;
        context.Result = new ObjectResult(new ProblemDetails
        {
            Status = 401, Title = "Unauthorized",
            Detail = string.IsNullOrEmpty(expected) ? "CRON_SECRET is not configured; the endpoint is disabled." : $"Send the cron secret in {HeaderName}.",
        }) { StatusCode = 401, ContentTypes = { "application/problem+json" } };
    }
}
