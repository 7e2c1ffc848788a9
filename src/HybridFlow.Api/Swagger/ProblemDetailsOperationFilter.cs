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
        foreach (var (status, response) in operation.Responses)
        {
            if (!int.TryParse(status, out var code) || code < 400 || response.Content is null) continue;
            if (response.Content.Remove(Json, out var media)) response.Content[Problem] = media;
        }
    }
}
