using HybridFlow.Api.Contracts;
using HybridFlow.Api.Security;
using HybridFlow.Application.Webhooks.Commands;
using MediatR;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// Meta's WhatsApp Cloud API webhooks (docs/decisions/ADR-016): /webhooks/meta for the platform's Meta app,
/// /webhooks/meta/{instance_name} for an instance that brings its own. The handshake is unsigned; a delivery proves itself
/// with X-Hub-Signature-256 over the body, which is handed on unread.
/// </summary>
[ApiController]
public sealed class MetaWebhooksController : ControllerBase
{
    private readonly IMediator _mediator;

    public MetaWebhooksController(IMediator mediator) => _mediator = mediator;

    /// <summary>The verification handshake: <c>hub.challenge</c> as plain text when <c>hub.verify_token</c> is the app's and <c>hub.mode</c> is subscribe.</summary>
    [HttpGet("webhooks/meta")]
    [HttpGet("webhooks/meta/{instanceName}")]
    [ProducesResponseType(typeof(string), 200, "text/plain")]
    [ProducesResponseType(typeof(ProblemDetails), 403, "application/problem+json")]
    public async Task<ContentResult> Verify(
        string? instanceName, [FromQuery(Name = "hub.mode")] string? mode, [FromQuery(Name = "hub.verify_token")] string? verifyToken,
        [FromQuery(Name = "hub.challenge")] string? challenge, CancellationToken ct) =>
        Content(await _mediator.Send(new VerifyMetaWebhookQuery(instanceName, mode, verifyToken, challenge), ct), "text/plain; charset=utf-8");

    /// <summary>A delivery: answered 200 once every item is stored (an unknown phone_number_id too), 401 when the signature does not hold.</summary>
    [HttpPost("webhooks/meta")]
    [HttpPost("webhooks/meta/{instanceName}")]
    [Produces("application/json")]
    [ProducesResponseType(typeof(WebhookResponse), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 413)]
    [ProducesResponseType(typeof(ProblemDetails), 429)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public async Task<WebhookResponse> Receive(string? instanceName, [FromHeader(Name = "X-Hub-Signature-256")] string? signature, CancellationToken ct)
    {
        var outcome = await _mediator.Send(new ReceiveMetaWebhookCommand(instanceName, Request.Body, Request.ContentLength, signature,
            ClientAddress.Of(HttpContext)), ct);
        return new WebhookResponse(true, outcome.Action);
    }
}
