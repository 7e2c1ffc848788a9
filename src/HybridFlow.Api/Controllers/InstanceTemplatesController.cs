using HybridFlow.Api.Security;
using HybridFlow.Application.Templates;
using HybridFlow.Application.Templates.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// The WhatsApp message templates of a Cloud API instance, for the inbox's template picker: agents read them too, so it
/// stands apart from the instances' admin API (which agents do not reach).
/// </summary>
[ApiController]
[Authorize(Policy = AuthorizationPolicies.AnyCaller)]
[Route("api/instances")]
[Produces("application/json")]
public sealed class InstanceTemplatesController : ControllerBase
{
    private readonly IMediator _mediator;

    public InstanceTemplatesController(IMediator mediator) => _mediator = mediator;

    /// <summary>The instance's APPROVED templates (name, language, category, body, number of body variables).</summary>
    /// <remarks>
    /// Read from Meta's Graph API (GET /{waba_id}/message_templates) and kept for 10 minutes per instance; refresh=true
    /// asks Meta again. An Evolution instance has no templates: 409 with code templates_not_supported. Another tenant's
    /// instance: 404. The Graph API's refusal (an expired token, a wrong meta_waba_id): 502.
    /// </remarks>
    /// <param name="name">The instance name.</param>
    /// <param name="refresh">true: bypass the 10-minute cache.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("{name}/templates")]
    [ProducesResponseType(typeof(MessageTemplateListDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public Task<MessageTemplateListDto> List(string name, [FromQuery] bool refresh, CancellationToken ct) =>
        _mediator.Send(new ListInstanceTemplatesQuery(name, refresh), ct);
}
