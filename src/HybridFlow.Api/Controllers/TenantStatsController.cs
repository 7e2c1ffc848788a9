using HybridFlow.Api.Contracts;
using HybridFlow.Application.Stats;
using HybridFlow.Application.Stats.Export;
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
    /// <c>cached_share</c> = cached / input. <c>cost</c>: the tokens of the models LLM_PRICES prices, in its currency (null
    /// without LLM_PRICES); <c>unpriced_tokens</c> those of the models it does not price.
    /// </remarks>
    /// <param name="id">The tenant.</param>
    /// <param name="from">Start of the period (inclusive).</param>
    /// <param name="to">End of the period (exclusive).</param>
    /// <param name="interval"><c>day</c>: also one row per day of the period, in the tenant's time zone (<c>days</c>).</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/tenants/{id:long}/stats")]
    [ProducesResponseType(typeof(TenantStatsDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<TenantStatsDto> Get(long id, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, [FromQuery] string? interval,
        CancellationToken ct) =>
        _mediator.Send(new GetTenantStatsQuery(id, from, to, interval), ct);

    /// <summary>The tenant's conversations of a period as CSV, one row per conversation (platform admin, or the tenant's tenant_admin).</summary>
    /// <remarks>
    /// A conversation is a chat with a customer message in [from, to) (defaults and limits as for the stats). Columns:
    /// conversation_id, channel (evolution, meta_cloud), instance, customer (+number, or the chat id), customer_name,
    /// first_message_at and last_message_at (UTC) with their texts, the messages of the customer, the bot and people,
    /// handled_by (bot, person, bot_and_person, nobody), handoff_requested (yes/no), assignee, resolution (open,
    /// resolved) and resolved_at, and the period's model tokens (input, output). Streamed as it is read. A cell beginning
    /// with =, +, -, @, a tab or a carriage return starts with an apostrophe, so spreadsheets show it as text.
    /// </remarks>
    /// <param name="id">The tenant.</param>
    /// <param name="from">Start of the period (inclusive).</param>
    /// <param name="to">End of the period (exclusive).</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("api/tenants/{id:long}/conversations.csv")]
    [Produces("text/csv", "application/problem+json")]
    [ProducesResponseType(typeof(string), 200, "text/csv")]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Conversations(long id, [FromQuery] DateTimeOffset? from, [FromQuery] DateTimeOffset? to, CancellationToken ct) =>
        new ConversationsCsvResult(await _mediator.Send(new ExportConversationsQuery(id, from, to), ct));
}
