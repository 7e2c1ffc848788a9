using HybridFlow.Api.Contracts;
using HybridFlow.Application.SavedReplies;
using HybridFlow.Application.SavedReplies.Commands;
using HybridFlow.Application.SavedReplies.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>Saved replies: a tenant admin keeps them; agents pick them in the composer by typing "/" and a shortcut.</summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public sealed class SavedRepliesController : ControllerBase
{
    private readonly IMediator _mediator;

    public SavedRepliesController(IMediator mediator) => _mediator = mediator;

    /// <summary>The tenant's saved replies, by shortcut (tenant admin).</summary>
    [HttpGet("api/tenants/{id:long}/saved-replies")]
    [ProducesResponseType(typeof(SavedReplyListDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<SavedReplyListDto> List(long id, CancellationToken ct) => _mediator.Send(new ListSavedRepliesQuery(id), ct);

    /// <summary>Adds a saved reply (tenant admin); a shortcut the tenant already uses is 409.</summary>
    [HttpPost("api/tenants/{id:long}/saved-replies")]
    [ProducesResponseType(typeof(SavedReplyDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<SavedReplyDto>> Create(long id, SavedReplyRequest body, CancellationToken ct)
    {
        var reply = await _mediator.Send(new CreateSavedReplyCommand(id, body.Shortcut, body.Text), ct);
        return Created($"/api/tenants/{id}/saved-replies/{reply.Id}", reply);
    }

    /// <summary>Changes a saved reply's shortcut or text (tenant admin).</summary>
    [HttpPatch("api/tenants/{id:long}/saved-replies/{replyId:long}")]
    [ProducesResponseType(typeof(SavedReplyDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<SavedReplyDto> Update(long id, long replyId, SavedReplyRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateSavedReplyCommand(id, replyId, body.Shortcut, body.Text), ct);

    /// <summary>Deletes a saved reply (tenant admin).</summary>
    [HttpDelete("api/tenants/{id:long}/saved-replies/{replyId:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Delete(long id, long replyId, CancellationToken ct)
    {
        await _mediator.Send(new DeleteSavedReplyCommand(id, replyId), ct);
        return NoContent();
    }
}
