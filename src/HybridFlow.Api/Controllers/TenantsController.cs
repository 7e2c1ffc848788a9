using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Tenants;
using HybridFlow.Application.Tenants.Commands;
using HybridFlow.Application.Tenants.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

[ApiController]
[Authorize]
[Route("api/tenants")]
[Produces("application/json")]
public sealed class TenantsController : ControllerBase
{
    private readonly IMediator _mediator;

    public TenantsController(IMediator mediator) => _mediator = mediator;

    /// <summary>Creates a tenant (a business with its prompt, model and pause rules).</summary>
    [HttpPost]
    [ProducesResponseType(typeof(TenantDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public async Task<ActionResult<TenantDto>> Create(CreateTenantRequest body, CancellationToken ct)
    {
        var tenant = await _mediator.Send(new CreateTenantCommand(body.Name, body.SystemPrompt, body.LlmProvider, body.LlmModel,
            body.ReplyMode, body.WorkflowUrl, body.WorkflowSecret, body.ResumeAfterMinutes, body.DebounceSeconds, body.HistoryMessages, body.ExternalSendsPause), ct);
        return CreatedAtAction(nameof(Get), new { id = tenant.Id }, tenant);
    }

    /// <summary>Lists tenants, oldest first.</summary>
    [HttpGet]
    [ProducesResponseType(typeof(PagedResult<TenantDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<PagedResult<TenantDto>> List([FromQuery] int page = 1, [FromQuery(Name = "page_size")] int pageSize = Paging.DefaultPageSize,
        CancellationToken ct = default) =>
        _mediator.Send(new ListTenantsQuery(page, pageSize), ct);

    /// <summary>One tenant.</summary>
    [HttpGet("{id:long}")]
    [ProducesResponseType(typeof(TenantDto), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<TenantDto> Get(long id, CancellationToken ct) => _mediator.Send(new GetTenantQuery(id), ct);
}
