using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Tenants;
using HybridFlow.Application.Tenants.Commands;
using HybridFlow.Application.Tenants.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>Tenants: one business each, with its prompt, model and pause rules. A tenant key sees only its own tenant.</summary>
[ApiController]
[Authorize]
[Route("api/tenants")]
[Produces("application/json")]
public sealed class TenantsController : ControllerBase
{
    private readonly IMediator _mediator;

    public TenantsController(IMediator mediator) => _mediator = mediator;

    /// <summary>Creates a tenant (platform admin only).</summary>
    /// <remarks>Only <c>name</c> is required; omitted settings take the environment defaults.</remarks>
    [HttpPost]
    [ProducesResponseType(typeof(TenantDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    public async Task<ActionResult<TenantDto>> Create(CreateTenantRequest body, CancellationToken ct)
    {
        var tenant = await _mediator.Send(new CreateTenantCommand(body.Name, body.SystemPrompt, body.LlmProvider, body.LlmModel,
            body.ReplyMode, body.WorkflowUrl, body.WorkflowSecret, body.ResumeAfterMinutes, body.DebounceSeconds, body.HistoryMessages, body.ExternalSendsPause)
        {
            Conversation = body.ToConversationPatch(), LlmApiKey = body.LlmApiKey, LlmBaseUrl = body.LlmBaseUrl, NotifyUrl = body.NotifyUrl,
            MonthlyTokenBudget = body.MonthlyTokenBudget,
        }, ct);
        return CreatedAtAction(nameof(Get), new { id = tenant.Id }, tenant);
    }

    /// <summary>Lists tenants, oldest first (a tenant key sees only its own).</summary>
    /// <param name="page">Page number, from 1.</param>
    /// <param name="pageSize">Items per page, 1-200.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
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

    /// <summary>Changes some of a tenant's settings (platform admin, or the tenant's tenant_admin key).</summary>
    /// <remarks>
    /// Absent fields are kept; <c>null</c> clears <c>system_prompt</c>, <c>llm_provider</c>, <c>llm_model</c>, the workflow
    /// and notify targets and the tenant's model account, and restores a conversation setting's default.
    /// </remarks>
    [HttpPatch("{id:long}")]
    [ProducesResponseType(typeof(TenantDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<TenantDto> Update(long id, UpdateTenantRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateTenantCommand(id, body.Name, body.SystemPrompt, body.LlmProvider, body.LlmModel, body.ReplyMode,
            body.ResumeAfterMinutes, body.DebounceSeconds, body.HistoryMessages, body.ExternalSendsPause, body.WorkflowUrl, body.WorkflowSecret)
        {
            Conversation = body.ToConversationPatch(), LlmApiKey = body.LlmApiKey, LlmBaseUrl = body.LlmBaseUrl, NotifyUrl = body.NotifyUrl,
            MonthlyTokenBudget = body.MonthlyTokenBudget,
        }, ct);

    /// <summary>Deletes a tenant with its instances, sessions, messages, timeline and keys (platform admin only).</summary>
    [HttpDelete("{id:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Delete(long id, CancellationToken ct)
    {
        await _mediator.Send(new DeleteTenantCommand(id), ct);
        return NoContent();
    }
}
