using System.Text.Json;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// Malformed JSON and wrong types, caught by model binding, are answered like every other error: a 400
/// application/problem+json document with the errors map. A JsonResult, because [Produces("application/json")]
/// would rewrite an ObjectResult's content type.
/// </summary>
public static class InvalidModelStateResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IActionResult Create(ActionContext context)
    {
        var problem = new ValidationProblemDetails(context.ModelState) { Status = 400, Title = "The request is invalid." };
        return new JsonResult(problem, Json) { StatusCode = 400, ContentType = "application/problem+json" };
    }
}
