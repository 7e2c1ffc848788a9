using HybridFlow.Api.Contracts;
using HybridFlow.Application.Replies.Commands;
using HybridFlow.Application.Settings.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>What the settings page offers (the models a tenant may choose, the time zones) and try the bot.</summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public sealed class BotSettingsController : ControllerBase
{
    private readonly IMediator _mediator;

    public BotSettingsController(IMediator mediator) => _mediator = mediator;

    /// <summary>The models a tenant may choose on the platform's key (LLM_ALLOWED_MODELS and the defaults); own_account: any model.</summary>
    /// <param name="tenantId">The tenant asking about (the platform admin's pick); a tenant's own callers may leave it out.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/settings/models")]
    [ProducesResponseType(typeof(ModelChoicesDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ModelChoicesDto> Models([FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ListModelChoicesQuery(tenantId), ct);

    /// <summary>The IANA time zones this server knows, for business hours' timezone.</summary>
    [HttpGet("api/settings/time-zones")]
    [ProducesResponseType(typeof(TimeZoneListDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<TimeZoneListDto> TimeZones(CancellationToken ct) => _mediator.Send(new ListTimeZonesQuery(), ct);

    /// <summary>Try the bot: the reply a customer would get, through the real prompt, history rules and tools; nothing is sent.</summary>
    /// <remarks>
    /// Counts toward the tenant's monthly token budget, and RATE_LIMIT_PREVIEW_REPLY_PER_MINUTE previews a minute per
    /// tenant (429 with Retry-After past it). A tenant not in reply_mode ai is 409.
    /// </remarks>
    [HttpPost("api/tenants/{id:long}/preview-reply")]
    [ProducesResponseType(typeof(PreviewReplyDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    [ProducesResponseType(typeof(ProblemDetails), 429)]
    [ProducesResponseType(typeof(ProblemDetails), 503)]
    public Task<PreviewReplyDto> PreviewReply(long id, PreviewReplyRequest body, CancellationToken ct) =>
        _mediator.Send(body.ToCommand(id), ct);
}
