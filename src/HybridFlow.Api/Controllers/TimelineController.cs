using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Timeline;
using HybridFlow.Application.Timeline.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>The timeline of a chat: what was said and what HybridFlow did about it.</summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public sealed class TimelineController : ControllerBase
{
    private readonly IMediator _mediator;

    public TimelineController(IMediator mediator) => _mediator = mediator;

    /// <summary>A session's messages and actions, oldest first, paged.</summary>
    /// <remarks>
    /// Items are <c>kind: message</c> (direction inbound, bot or human; message_type; text; provider_message_id) or
    /// <c>kind: event</c> (action such as ai_queued, paused, ai_replied, manual_pause, resumed; detail; message_id of the
    /// message item it concerns; <c>code</c> and <c>params</c>: the detail for a client to say in its language, ADR-017). <c>at</c> orders them. A message item also has its delivery <c>status</c> (SERVER_ACK,
    /// DELIVERY_ACK, READ, PLAYED), <c>delivered_at</c>, <c>read_at</c>, <c>deleted</c>/<c>deleted_at</c>, and
    /// <c>media_text</c> (a voice note's transcript, or what went to the model for a photo).
    /// </remarks>
    /// <param name="sessionId">The session (required).</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="page">Page number, from 1.</param>
    /// <param name="pageSize">Items per page, 1-200.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/events")]
    [ProducesResponseType(typeof(PagedResult<TimelineItemDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<PagedResult<TimelineItemDto>> List([FromQuery(Name = "session_id")] long? sessionId, [FromQuery(Name = "tenant_id")] long? tenantId,
        [FromQuery] int page = 1, [FromQuery(Name = "page_size")] int pageSize = Paging.DefaultPageSize, CancellationToken ct = default) =>
        _mediator.Send(new GetTimelineQuery(tenantId, sessionId, page, pageSize), ct);
}
