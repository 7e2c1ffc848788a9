using HybridFlow.Api.Health;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>/health is a health-checks endpoint, not an action, so the API explorer does not see it: document it here.</summary>
public sealed class HealthDocumentFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var schema = context.SchemaGenerator.GenerateSchema(typeof(HealthReportDto), context.SchemaRepository);
        OpenApiResponse Answer(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
        };
        document.Paths ??= [];
        document.Paths["/health"] = new OpenApiPathItem
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = "Liveness and dependencies; 503 when a check fails.",
                    Tags = new HashSet<OpenApiTagReference> { new("Operations", document) },
                    Responses = new OpenApiResponses
                    {
                        ["200"] = Answer("OK: no check is \"error\"."),
                        ["503"] = Answer("Service Unavailable: at least one check is \"error\"."),
                    },
                },
            },
        };
    }
}
