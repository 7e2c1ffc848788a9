using HybridFlow.Api.Contracts;
using HybridFlow.Api.Security;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Inbox;
using HybridFlow.Application.Inbox.Commands;
using HybridFlow.Application.Inbox.Queries;
using HybridFlow.Application.Inbox.Contacts;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// The operator inbox: conversations (one per chat session), their thread, and what a person does in them. Visibility:
/// the platform admin sees every tenant, a tenant admin its tenant, an agent who logged in the conversations assigned to
/// them plus the unassigned ones, an agent API key its tenant. Any other id answers 404, for reads and writes alike.
/// </summary>
[ApiController]
[Authorize(Policy = AuthorizationPolicies.AnyCaller)]
[Route("api/inbox")]
[Produces("application/json")]
public sealed class InboxController : ControllerBase
{
    private readonly IMediator _mediator;

    public InboxController(IMediator mediator) => _mediator = mediator;

    /// <summary>Lists the conversations the caller sees, newest activity first.</summary>
    /// <param name="status">open (default: not resolved), bot (open, the bot answers), paused (open, paused for any reason), handoff (open, a person was asked for), needs_person (handoff or needs_attention), resolved or all.</param>
    /// <param name="assignedTo">me, unassigned, or a user id.</param>
    /// <param name="tag">Only conversations with this tag (compared lower-cased).</param>
    /// <param name="q">Matches the contact name, the phone number's digits and the message texts (case-insensitive, up to 100 characters).</param>
    /// <param name="page">Page number, from 1.</param>
    /// <param name="pageSize">Items per page, 1-200.</param>
    /// <param name="tenantId">The platform admin: only this tenant's conversations.</param>
    /// <param name="ids">Comma-separated conversation ids (at most 100): which of them belong in the list with these filters, on one page (page and page_size are ignored).</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("conversations")]
    [ProducesResponseType(typeof(PagedResult<ConversationDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<PagedResult<ConversationDto>> List([FromQuery] string? status, [FromQuery(Name = "assigned_to")] string? assignedTo,
        [FromQuery] string? tag, [FromQuery] string? q, [FromQuery] int page = 1, [FromQuery(Name = "page_size")] int pageSize = Paging.DefaultPageSize,
        [FromQuery(Name = "tenant_id")] long? tenantId = null, [FromQuery] string? ids = null, CancellationToken ct = default) =>
        _mediator.Send(new ListConversationsQuery(status, assignedTo, tag, q, page, pageSize, tenantId, ids), ct);

    /// <summary>One conversation.</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("conversations/{sessionId:long}")]
    [ProducesResponseType(typeof(ConversationDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ConversationDto> Get(long sessionId, CancellationToken ct) => _mediator.Send(new GetConversationQuery(sessionId), ct);

    /// <summary>Changes the assignee, the tags or the status (open or resolved) of a conversation.</summary>
    /// <remarks>
    /// Each change goes on the timeline (assigned, unassigned, tagged, resolved, reopened). An assignee who is not a user
    /// of the conversation's tenant is 400; an agent assigning to someone else, or taking another's conversation, is 403.
    /// </remarks>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">The fields to change.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPatch("conversations/{sessionId:long}")]
    [ProducesResponseType(typeof(ConversationDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ConversationDto> Update(long sessionId, UpdateConversationRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateConversationCommand(sessionId, body.AssigneeUserId, body.Tags, body.Status), ct);

    /// <summary>The conversation's contact panel: the customer's name (a person's, else WhatsApp's), number, channel, tags, first seen, conversations and notes.</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("conversations/{sessionId:long}/contact")]
    [ProducesResponseType(typeof(ContactDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ContactDto> Contact(long sessionId, CancellationToken ct) => _mediator.Send(new GetContactQuery(sessionId), ct);

    /// <summary>Renames the customer for the business, or writes notes about them (anyone who sees the conversation).</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">The fields to change.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPatch("conversations/{sessionId:long}/contact")]
    [ProducesResponseType(typeof(ContactDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ContactDto> UpdateContact(long sessionId, UpdateContactRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateContactCommand(sessionId, body.Name, body.Notes), ct);

    /// <summary>The thread: messages, timeline events and internal notes, newest first.</summary>
    /// <remarks>Items have <c>kind</c> message, event or note. Pass <c>next_before</c> back as <c>before</c> for the older page; it is null on the oldest.</remarks>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="before">The <c>next_before</c> of the previous page; absent for the newest page.</param>
    /// <param name="limit">Items per page, 1-200 (default 50).</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("conversations/{sessionId:long}/messages")]
    [ProducesResponseType(typeof(ThreadPageDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ThreadPageDto> Messages(long sessionId, [FromQuery] string? before, [FromQuery] int limit = InboxLimits.ThreadDefaultLimit,
        CancellationToken ct = default) =>
        _mediator.Send(new GetConversationMessagesQuery(sessionId, before, limit), ct);

    /// <summary>Writes to the customer as the logged-in person: a takeover (the bot pauses; replies not yet sent are cancelled).</summary>
    /// <remarks>The message records who sent it; an unassigned conversation becomes the sender's. Evolution's refusal or failure is 502.</remarks>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">The text.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/messages")]
    [ProducesResponseType(typeof(InboxMessageSentDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public async Task<ActionResult<InboxMessageSentDto>> Send(long sessionId, SendInboxMessageRequest body, CancellationToken ct) =>
        StatusCode(StatusCodes.Status201Created, await _mediator.Send(new SendInboxMessageCommand(sessionId, body.Text), ct));

    /// <summary>Sends one of the instance's approved WhatsApp templates as the logged-in person (a Cloud API conversation).</summary>
    /// <remarks>
    /// What WhatsApp allows once 24 hours passed since the customer's last message. Like a text from the inbox it is a
    /// takeover, recorded as the person's message with the body filled in. Unknown or unapproved template, or the wrong
    /// number of variables: 400. An Evolution conversation: 409 (code templates_not_supported). The Graph API's refusal: 502.
    /// </remarks>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">The template's name and language, and its variables.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/template")]
    [ProducesResponseType(typeof(InboxMessageSentDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public async Task<ActionResult<InboxMessageSentDto>> SendTemplate(long sessionId, SendInboxTemplateRequest body, CancellationToken ct) =>
        StatusCode(StatusCodes.Status201Created,
            await _mediator.Send(new SendInboxTemplateCommand(sessionId, body.Name, body.Language, body.Variables), ct));

    /// <summary>Adds an internal note to the thread. It never reaches WhatsApp.</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">The note's text.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/notes")]
    [ProducesResponseType(typeof(NoteDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<ActionResult<NoteDto>> AddNote(long sessionId, AddNoteRequest body, CancellationToken ct) =>
        StatusCode(StatusCodes.Status201Created, await _mediator.Send(new AddNoteCommand(sessionId, body.Text), ct));

    /// <summary>Marks the conversation read up to its newest message, for the logged-in person (an API key has no read state).</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/read")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Read(long sessionId, CancellationToken ct)
    {
        await _mediator.Send(new MarkReadCommand(sessionId), ct);
        return NoContent();
    }

    /// <summary>Shows "typing…" to the customer for a few seconds (Evolution sendPresence composing).</summary>
    /// <remarks>Answers once Evolution has shown it (about 3 s). Evolution's refusal or failure is 502.</remarks>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/typing")]
    [ProducesResponseType(202)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public async Task<IActionResult> Typing(long sessionId, CancellationToken ct)
    {
        await _mediator.Send(new SendTypingCommand(sessionId), ct);
        return Accepted();
    }

    /// <summary>Silences the bot in the conversation: for <c>minutes</c>, for the tenant's quiet period, or until resumed when the body is empty.</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="body">Optional: <c>{"minutes": n}</c> (1-525600), <c>{"for": "quiet_period"}</c> or <c>{"for": "until_resumed"}</c>.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/pause")]
    [ProducesResponseType(typeof(ConversationDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ConversationDto> Pause(long sessionId, [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] PauseSessionRequest? body, CancellationToken ct) =>
        _mediator.Send(new PauseConversationCommand(sessionId, body?.Minutes, body?.For), ct);

    /// <summary>Lets the bot answer in the conversation again.</summary>
    /// <param name="sessionId">The conversation's session id.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("conversations/{sessionId:long}/resume")]
    [ProducesResponseType(typeof(ConversationDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ConversationDto> Resume(long sessionId, CancellationToken ct) => _mediator.Send(new ResumeConversationCommand(sessionId), ct);

    /// <summary>The users a tenant's conversations can be assigned to (for the assignment menu).</summary>
    /// <param name="tenantId">Required for the platform admin; a tenant's own callers may leave it out.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("assignees")]
    [ProducesResponseType(typeof(AssigneeListDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<AssigneeListDto> Assignees([FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ListAssigneesQuery(tenantId), ct);
}
