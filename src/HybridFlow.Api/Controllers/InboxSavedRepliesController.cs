using HybridFlow.Api.Security;
using HybridFlow.Application.SavedReplies;
using HybridFlow.Application.SavedReplies.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>The saved replies as the inbox reads them: agents logged in reach this one (the inbox's policy).</summary>
[ApiController]
[Authorize(Policy = AuthorizationPolicies.AnyCaller)]
[Produces("application/json")]
public sealed class InboxSavedRepliesController : ControllerBase
{
    private readonly IMediator _mediator;

    public InboxSavedRepliesController(IMediator mediator) => _mediator = mediator;

    /// <summary>The saved replies an agent may use (the composer's "/" list); the platform admin names the tenant.</summary>
    /// <param name="tenantId">Required for the platform admin; a tenant's own callers may leave it out.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/inbox/saved-replies")]
    [ProducesResponseType(typeof(SavedReplyListDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SavedReplyListDto> ForAgents([FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ListInboxSavedRepliesQuery(tenantId), ct);
}
