using HybridFlow.Api.Realtime;
using HybridFlow.Api.Security;
using HybridFlow.Application.Inbox.Events;
using HybridFlow.Application.Inbox.Events.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>The operator inbox's live feed.</summary>
[ApiController]
[Authorize(Policy = AuthorizationPolicies.AnyCaller)]
public sealed class InboxEventsController : ControllerBase
{
    private readonly IMediator _mediator;

    public InboxEventsController(IMediator mediator) => _mediator = mediator;

    /// <summary>What happens to the conversations the caller may see, as Server-Sent Events.</summary>
    /// <remarks>
    /// <c>text/event-stream</c>; each event is <c>id: n</c>, <c>event: type</c> and <c>data: {"id","type","tenant_id",
    /// "session_id","message_id"?,"note_id"?,"at"}</c>. Types: message.created, conversation.updated, session.paused,
    /// session.resumed, reply.sent, handoff.requested, note.created. A <c>: keep-alive</c> comment comes every 15 s.
    /// After a reconnect (EventSource sends <c>Last-Event-ID</c>; or pass <c>?last_event_id=</c>) the events after that
    /// id from the last 10 minutes come first. Read what changed through the inbox API by id. A user or key holds at most
    /// INBOX_STREAMS_PER_USER streams (429 after); a stream ends when its key is revoked or its user deleted, locked or re-roled.
    /// </remarks>
    /// <param name="lastEventIdHeader">The Last-Event-ID header that EventSource sends when it reconnects.</param>
    /// <param name="lastEventId">The same as a query parameter (the header wins).</param>
    /// <param name="tenantId">Platform admin: only this tenant's events.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/inbox/events")]
    [ProducesResponseType(typeof(InboxEventDto), 200, "text/event-stream")]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400, "application/json")]
    [ProducesResponseType(typeof(ProblemDetails), 401, "application/json")]
    [ProducesResponseType(typeof(ProblemDetails), 404, "application/json")]
    [ProducesResponseType(typeof(ProblemDetails), 429, "application/problem+json")]
    public async Task<IResult> Stream([FromHeader(Name = "Last-Event-ID")] string? lastEventIdHeader,
        [FromQuery(Name = "last_event_id")] string? lastEventId, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        new InboxEventStreamResult(await _mediator.Send(new StreamInboxEventsQuery(lastEventIdHeader ?? lastEventId, tenantId), ct));
}
