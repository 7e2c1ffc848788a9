using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Instances.Commands;
using HybridFlow.Application.Instances.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

[ApiController]
[Authorize]
[Route("api/instances")]
[Produces("application/json")]
public sealed class InstancesController : ControllerBase
{
    private readonly IMediator _mediator;

    public InstancesController(IMediator mediator) => _mediator = mediator;

    /// <summary>Connects an Evolution instance to a tenant. Secrets are stored and never shown again in full.</summary>
    [HttpPost]
    [ProducesResponseType(typeof(InstanceDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<InstanceDto>> Create(CreateInstanceRequest body, CancellationToken ct)
    {
        var instance = await _mediator.Send(
            new CreateInstanceCommand(body.TenantId, body.InstanceName, body.EvoServerUrl, body.EvoApiKey, body.WebhookSecret), ct);
        return Created($"/api/instances/{Uri.EscapeDataString(instance.InstanceName)}?tenant_id={instance.TenantId}", instance);
    }

    /// <summary>Lists instances, optionally of one tenant.</summary>
    [HttpGet]
    [ProducesResponseType(typeof(PagedResult<InstanceDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    public Task<PagedResult<InstanceDto>> List([FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ListInstancesQuery(tenantId), ct);
}
