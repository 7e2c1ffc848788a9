using System.Text.Json;
using HybridFlow.Api.Contracts;
using HybridFlow.Api.Security;
using HybridFlow.Application.Webhooks;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>Evolution API webhooks. Authenticated by the instance's or the global secret, a jwt_key Bearer token, or the body's apikey.</summary>
[ApiController]
[Produces("application/json")]
public sealed class WebhooksController : ControllerBase
{
    private readonly IMediator _mediator;

    public WebhooksController(IMediator mediator) => _mediator = mediator;

    /// <summary>Webhook with the instance in the path (the form the deployment guide uses); also accepts Evolution's by-event URLs.</summary>
    [HttpPost("webhook/{instance}")]
    [HttpPost("webhook/{instance}/{eventSlug}")]
    [ProducesResponseType(typeof(WebhookResponse), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 413)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public Task<WebhookResponse> ReceiveForInstance(
        string instance, [FromBody] JsonElement body,
        [FromHeader(Name = "X-Webhook-Secret")] string? secret, [FromQuery] string? token,
        [FromHeader(Name = "Authorization")] string? authorization, CancellationToken ct) =>
        Receive(instance, body, secret, token, authorization, ct);

    /// <summary>Webhook with the instance taken from the body's <c>instance</c> field.</summary>
    [HttpPost("webhooks/evolution")]
    [HttpPost("webhooks/evolution/{eventSlug}")]
    [ProducesResponseType(typeof(WebhookResponse), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 413)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public Task<WebhookResponse> ReceiveShared(
        [FromBody] JsonElement body,
        [FromHeader(Name = "X-Webhook-Secret")] string? secret, [FromQuery] string? token,
        [FromHeader(Name = "Authorization")] string? authorization, CancellationToken ct) =>
        Receive(null, body, secret, token, authorization, ct);

    private async Task<WebhookResponse> Receive(string? instance, JsonElement body, string? secret, string? token, string? authorization, CancellationToken ct)
    {
        var bearer = AuthorizationHeader.BearerToken(authorization);
        var outcome = await _mediator.Send(new ReceiveEvolutionWebhookCommand(instance, body, new WebhookCredentials(secret, token, bearer)), ct);
        return new WebhookResponse(true, outcome.Action);
    }
}
