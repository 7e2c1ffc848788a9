using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// Answers 400 to a query holding NUL (%00) before any handler looks it up: PostgreSQL's text cannot store it (see
/// <see cref="Contracts.StringWithoutNulConverter"/>, which guards JSON bodies; Kestrel itself refuses a NUL in the path).
/// </summary>
public sealed class NulInQueryMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.QueryString.Value?.Contains("%00", StringComparison.Ordinal) == true)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new ProblemDetails
            {
                Status = 400, Title = "Bad request", Detail = "The query holds a NUL character (%00), which cannot be stored.",
            }, options: null, contentType: "application/problem+json");
            return;
        }
        await next(context);
    }
}
