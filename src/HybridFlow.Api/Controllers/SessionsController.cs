using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Sessions;
using HybridFlow.Application.Sessions.Commands;
using HybridFlow.Application.Sessions.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace HybridFlow.Api.Controllers;

/// <summary>Chat sessions: one per WhatsApp chat, active or paused (the owner took over, or someone paused it).</summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public sealed class SessionsController : ControllerBase
{
    private readonly IMediator _mediator;

    public SessionsController(IMediator mediator) => _mediator = mediator;

    /// <summary>One session by instance and chat id (the chat id contains '@', e.g. 5511999990001@s.whatsapp.net).</summary>
    /// <param name="instance">The Evolution instance name.</param>
    /// <param name="chatId">The chat's WhatsApp id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("sessions/{instance}/{chatId}")]
    [ProducesResponseType(typeof(SessionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SessionDto> GetByChat(string instance, string chatId, CancellationToken ct) =>
        _mediator.Send(new GetSessionQuery(SessionLocator.ByChat(instance, chatId)), ct);

    /// <summary>Lets the bot speak again in a chat, by instance and chat id.</summary>
    /// <param name="instance">The Evolution instance name.</param>
    /// <param name="chatId">The chat's WhatsApp id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("sessions/{instance}/{chatId}/resume")]
    [ProducesResponseType(typeof(SessionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SessionDto> ResumeByChat(string instance, string chatId, CancellationToken ct) =>
        _mediator.Send(new ResumeSessionCommand(SessionLocator.ByChat(instance, chatId)), ct);

    /// <summary>Lists chat sessions, newest activity first.</summary>
    /// <param name="tenantId">Only this tenant's sessions (a tenant key always sees only its own).</param>
    /// <param name="state">active or paused; both when absent.</param>
    /// <param name="pauseReason">Only chats paused for this reason: human_takeover, manual or handoff_requested (the queue of chats waiting for a person).</param>
    /// <param name="page">Page number, from 1.</param>
    /// <param name="pageSize">Items per page, 1-200.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/sessions")]
    [ProducesResponseType(typeof(PagedResult<SessionDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<PagedResult<SessionDto>> List([FromQuery(Name = "tenant_id")] long? tenantId, [FromQuery] string? state,
        [FromQuery] int page = 1, [FromQuery(Name = "page_size")] int pageSize = Paging.DefaultPageSize,
        [FromQuery(Name = "pause_reason")] string? pauseReason = null, CancellationToken ct = default) =>
        _mediator.Send(new ListSessionsQuery(tenantId, state, page, pageSize, pauseReason), ct);

    /// <summary>One session by id.</summary>
    /// <param name="id">The session id.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/sessions/{id:long}")]
    [ProducesResponseType(typeof(SessionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SessionDto> Get(long id, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new GetSessionQuery(SessionLocator.ById(id, tenantId)), ct);

    /// <summary>Silences the bot in a chat: for <c>minutes</c>, for the tenant's quiet period, or until resumed when the body is empty.</summary>
    /// <remarks>Allowed to agents. Replies not yet sent are cancelled.</remarks>
    /// <param name="id">The session id.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="body">Optional: <c>{"minutes": n}</c> (1-525600), <c>{"for": "quiet_period"}</c> or <c>{"for": "until_resumed"}</c>.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("api/sessions/{id:long}/pause")]
    [ProducesResponseType(typeof(SessionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SessionDto> Pause(long id, [FromQuery(Name = "tenant_id")] long? tenantId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] PauseSessionRequest? body, CancellationToken ct) =>
        _mediator.Send(new PauseSessionCommand(SessionLocator.ById(id, tenantId), body?.Minutes, body?.For), ct);

    /// <summary>Lets the bot speak again in a chat.</summary>
    /// <remarks>Allowed to agents.</remarks>
    /// <param name="id">The session id.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("api/sessions/{id:long}/resume")]
    [ProducesResponseType(typeof(SessionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SessionDto> Resume(long id, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ResumeSessionCommand(SessionLocator.ById(id, tenantId)), ct);
}
