using Microsoft.AspNetCore.Mvc;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>Error answers are RFC 7807 documents: declare them as application/problem+json, as they are served.</summary>
public sealed class ProblemDetailsOperationFilter : IOperationFilter
{
    private const string Json = "application/json";
    private const string Problem = "application/problem+json";

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (operation.Responses is null) return;
        var problemStatuses = context.ApiDescription.SupportedResponseTypes
            .Where(r => r.Type is not null && typeof(ProblemDetails).IsAssignableFrom(r.Type))
            .Select(r => r.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ToHashSet();
        foreach (var (status, response) in operation.Responses)
        {
            if (!problemStatuses.Contains(status) || response.Content is null) continue;
            if (response.Content.Remove(Json, out var media)) response.Content[Problem] = media;
        }
    }
}
