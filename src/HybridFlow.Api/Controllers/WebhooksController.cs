using HybridFlow.Api.Contracts;
using HybridFlow.Api.Security;
using HybridFlow.Application.Webhooks;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// Evolution API webhooks. Authenticated by the instance's or the global secret, a jwt_key Bearer token, or the body's apikey.
/// The body is handed on unread: it is read only as far as the caller has proved itself (WebhookAdmission).
/// </summary>
[ApiController]
[Produces("application/json")]
public sealed class WebhooksController : ControllerBase
{
    private readonly IMediator _mediator;

    public WebhooksController(IMediator mediator) => _mediator = mediator;

    /// <summary>Webhook with the instance in the path (the form the deployment guide uses); also accepts Evolution's by-event URLs.</summary>
    [HttpPost("webhook/{instance}")]
    [HttpPost("webhook/{instance}/{eventSlug}")]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(WebhookResponse), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 413)]
    [ProducesResponseType(typeof(ProblemDetails), 429)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public Task<WebhookResponse> ReceiveForInstance(
        string instance,
        [FromHeader(Name = "X-Webhook-Secret")] string? secret, [FromQuery] string? token,
        [FromHeader(Name = "Authorization")] string? authorization, CancellationToken ct) =>
        Receive(instance, secret, token, authorization, ct);

    /// <summary>Webhook with the instance taken from the body's <c>instance</c> field.</summary>
    [HttpPost("webhooks/evolution")]
    [HttpPost("webhooks/evolution/{eventSlug}")]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(WebhookResponse), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 413)]
    [ProducesResponseType(typeof(ProblemDetails), 429)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public Task<WebhookResponse> ReceiveShared(
        [FromHeader(Name = "X-Webhook-Secret")] string? secret, [FromQuery] string? token,
        [FromHeader(Name = "Authorization")] string? authorization, CancellationToken ct) =>
        Receive(null, secret, token, authorization, ct);

    private async Task<WebhookResponse> Receive(string? instance, string? secret, string? token, string? authorization, CancellationToken ct)
    {
        var bearer = AuthorizationHeader.BearerToken(authorization);
        var outcome = await _mediator.Send(new ReceiveEvolutionWebhookCommand(instance, Request.Body, Request.ContentLength,
            new WebhookCredentials(secret, token, bearer), ClientAddress.Of(HttpContext)), ct);
        return new WebhookResponse(true, outcome.Action);
    }
}
