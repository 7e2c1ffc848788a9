using HybridFlow.Application.Stats;
using HybridFlow.Application.Stats.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>How the bot is doing for a tenant, and what its model use cost.</summary>
[ApiController]
[Authorize]
[Produces("application/json")]
public sealed class TenantStatsController : ControllerBase
{
    private readonly IMediator _mediator;

    public TenantStatsController(IMediator mediator) => _mediator = mediator;

    /// <summary>A tenant's conversation and token stats for a period (platform admin, or the tenant's tenant_admin key; an agent key gets 403).</summary>
    /// <remarks>
    /// The period is [from, to): ISO-8601 times (UTC when no offset is given; write <c>Z</c>, a <c>+</c> must be sent as
    /// <c>%2B</c>). Defaults: <c>to</c> now, <c>from</c> 7 days before <c>to</c>; at most 366 days.
    /// A conversation is a chat with a customer message in the period. <c>bot_replies</c> counts model replies
    /// (one per reply, however many parts it was split into); <c>bot_messages</c> every message the bot sent.
    /// <c>human_takeovers</c> counts chats going from the bot to a person (not every message the person sends).
    /// <c>first_reply</c>: per conversation, from its first customer message in the period to the first bot message
    /// after it; median and p90 are interpolated (percentile_cont), in seconds, null when no conversation got a reply.
    /// <c>handled_by_bot_share</c>: conversations with a bot message and no human message, takeover or handoff request,
    /// over all conversations. Tokens are as the providers reported them; input includes cached input;
    /// <c>cached_share</c> = cached / input.
    /// </remarks>
    /// <param name="id">The tenant.</param>
    /// <param name="from">Start of the period (inclusive).</param>
    /// <param name="to">End of the period (exclusive).</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/tenants/{id:long}/stats")]
    [ProducesResponseType(typeof(TenantStatsDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<TenantStatsDto> Get(long id, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, CancellationToken ct) =>
        _mediator.Send(new GetTenantStatsQuery(id, from, to), ct);
}
