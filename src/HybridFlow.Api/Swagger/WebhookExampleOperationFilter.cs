using System.Text.Json.Nodes;
using HybridFlow.Api.Controllers;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>The webhook body is Evolution's, taken as raw JSON; show what a customer's text looks like.</summary>
public sealed class WebhookExampleOperationFilter : IOperationFilter
{
    private const string Example = """
        {"event": "messages.upsert", "instance": "padaria-demo",
         "data": {"key": {"remoteJid": "5511999990001@s.whatsapp.net", "fromMe": false, "id": "3A5F0C1B2D3E4F5A6B7C"},
                  "pushName": "Maria", "message": {"conversation": "Oi, vocês abrem amanhã?"}, "messageType": "conversation",
                  "messageTimestamp": 1767225600},
         "date_time": "2026-01-01T00:00:00.000Z", "sender": "5511988887777@s.whatsapp.net", "apikey": null}
        """;

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.MethodInfo.DeclaringType != typeof(WebhooksController)) return;
        // The action reads the body itself (only as far as the caller proved itself), so describe it here.
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Example = JsonNode.Parse(Example) } },
        };
    }
}
