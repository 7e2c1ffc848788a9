using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace HybridFlow.Api.Middleware;

/// <summary>
/// Malformed JSON, wrong types and unknown fields, caught by model binding, are answered like every other error: a 400
/// application/problem+json document with the errors map. A JsonResult, because [Produces("application/json")]
/// would rewrite an ObjectResult's content type.
/// </summary>
public static partial class InvalidModelStateResponse
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IActionResult Create(ActionContext context)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, entry) in context.ModelState)
        {
            if (entry.Errors.Count == 0) continue;
            errors[key] = [.. entry.Errors.Select(e => Readable(e.ErrorMessage))];
        }
        // A body that failed to parse is also reported as "the body field is required": noise next to the real error.
        if (errors.Keys.Any(k => k.StartsWith('$')))
            foreach (var body in context.ActionDescriptor.Parameters.Where(p => p.BindingInfo?.BindingSource == BindingSource.Body))
                errors.Remove(body.Name);

        var problem = new ValidationProblemDetails(errors) { Status = 400, Title = "The request is invalid." };
        return new JsonResult(problem, Json) { StatusCode = 400, ContentType = "application/problem+json" };
    }

    /// <summary>System.Text.Json names the .NET type of an unknown member; the caller only needs the field.</summary>
    private static string Readable(string message)
    {
        var unknown = UnmappedMember().Match(message);
        return unknown.Success ? $"'{unknown.Groups[1].Value}' is not a field of this request; /swagger lists the fields." : message;
    }

    [GeneratedRegex("^The JSON property '(.+)' could not be mapped to any \\.NET member")]
    private static partial Regex UnmappedMember();
}
