using HybridFlow.Api.Controllers;
using HybridFlow.Api.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace HybridFlow.Api.Swagger;

/// <summary>
/// Each operation documents the credentials it really takes: the API key or the login cookie for [Authorize] actions, the webhook secret
/// for webhooks, the cron secret for the cron endpoint, nothing for /health.
/// </summary>
public sealed class SecurityRequirementsOperationFilter : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        string[] alternatives;
        if (metadata.OfType<CronSecretAttribute>().Any()) alternatives = [SwaggerSetup.CronSecretHeader];
        else if (context.MethodInfo.DeclaringType == typeof(WebhooksController)) alternatives = [SwaggerSetup.WebhookSecretHeader, SwaggerSetup.WebhookToken];
        else if (context.MethodInfo.DeclaringType == typeof(MetaWebhooksController))
            alternatives = context.ApiDescription.HttpMethod == "POST" ? [SwaggerSetup.MetaSignature] : []; // the handshake is unsigned
        else if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any()) alternatives = [SwaggerSetup.Bearer, SwaggerSetup.ApiKeyHeader, SwaggerSetup.LoginCookie];
        else alternatives = [];

        // Several requirements in the list mean "any one of them".
        operation.Security = alternatives
            .Select(id => new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(id, context.Document)] = [] })
            .ToList();
    }
}
