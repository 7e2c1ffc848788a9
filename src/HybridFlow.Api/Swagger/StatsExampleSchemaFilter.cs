using System.Text.Json.Nodes;
using HybridFlow.Application.Stats;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>An example answer of GET /api/tenants/{id}/stats, so the fields read with real-looking numbers.</summary>
public sealed class StatsExampleSchemaFilter : ISchemaFilter
{
    private const string Example = """
        {"tenant_id": 1, "from": "2026-11-25T00:00:00Z", "to": "2026-12-02T00:00:00Z",
         "conversations": 120, "customer_messages": 410, "bot_replies": 350, "bot_messages": 520,
         "human_takeovers": 14, "handoff_requests": 6, "auto_resumes": 11, "manual_resumes": 5,
         "first_reply": {"conversations": 112, "median_seconds": 7.4, "p90_seconds": 19.2},
         "handled_by_bot": 96, "handled_by_bot_share": 0.8,
         "tokens": {"calls": 362, "input": 905000, "output": 61000, "cached": 512000, "cached_share": 0.5657,
                    "by_model": [{"provider": "openai", "model": "gpt-4o-mini", "calls": 362, "input": 905000, "output": 61000,
                                  "cached": 512000, "cached_share": 0.5657}]},
         "budget": {"month_start": "2026-12-01T00:00:00Z", "monthly_token_budget": 2000000, "used": 966000, "left": 1034000, "exhausted": false}}
        """;

    public void Apply(IOpenApiSchema schema, SchemaFilterContext context)
    {
        if (schema is OpenApiSchema concrete && context.Type == typeof(TenantStatsDto)) concrete.Example = JsonNode.Parse(Example);
    }
}
