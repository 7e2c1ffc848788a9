using HybridFlow.Api.Contracts;
using HybridFlow.Application.Messages.Commands;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

[ApiController]
[Authorize]
[Route("api/evolution")]
[Produces("application/json")]
public sealed class EvolutionController : ControllerBase
{
    private readonly IMediator _mediator;

    public EvolutionController(IMediator mediator) => _mediator = mediator;

    /// <summary>
    /// Sends a WhatsApp text through the instance's Evolution API. <c>"as": "bot"</c> speaks for the bot (a workflow's
    /// answer): it never pauses the chat, and is refused with 409 while a person has the chat. <c>"as": "agent"</c> is a
    /// person taking over: the chat is paused (<c>human_takeover</c>) and replies not yet sent are cancelled.
    /// Keys with the <c>agent</c> role may only send as agent. Evolution's refusal or failure is answered 502.
    /// </summary>
    [HttpPost("send-message")]
    [ProducesResponseType(typeof(SentMessageDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public async Task<ActionResult<SentMessageDto>> SendMessage(SendMessageRequest body, CancellationToken ct)
    {
        var sent = await _mediator.Send(new SendMessageCommand(body.InstanceName, body.ChatId, body.Number, body.Text, body.As), ct);
        return StatusCode(StatusCodes.Status201Created, sent);
    }
}
