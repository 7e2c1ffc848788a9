using HybridFlow.Api.Contracts;
using HybridFlow.Application.ApiKeys;
using HybridFlow.Application.ApiKeys.Commands;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;

namespace HybridFlow.Api.Controllers;

/// <summary>Tenant API keys (roles tenant_admin and agent). Needs the platform key or the tenant's tenant_admin key.</summary>
[ApiController]
[Authorize]
[Route("api/tenants/{tenantId:long}/api-keys")]
[Produces("application/json")]
public sealed class ApiKeysController : ControllerBase
{
    private readonly IMediator _mediator;

    public ApiKeysController(IMediator mediator) => _mediator = mediator;

    /// <summary>Creates a key for the tenant. The key is in this answer only; it is stored hashed.</summary>
    [HttpPost]
    [ProducesResponseType(typeof(CreatedApiKeyDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<ActionResult<CreatedApiKeyDto>> Create(long tenantId, CreateApiKeyRequest body, CancellationToken ct)
    {
        var created = await _mediator.Send(new CreateApiKeyCommand(tenantId, body.Name, body.Role), ct);
        return Created($"/api/tenants/{tenantId}/api-keys/{created.Id}", created);
    }

    /// <summary>Lists the tenant's keys (never the keys themselves).</summary>
    [HttpGet]
    [ProducesResponseType(typeof(IReadOnlyList<ApiKeyDto>), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<IReadOnlyList<ApiKeyDto>> List(long tenantId, CancellationToken ct) => _mediator.Send(new ListApiKeysQuery(tenantId), ct);

    /// <summary>Revokes a key at once.</summary>
    [HttpDelete("{keyId:long}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Revoke(long tenantId, long keyId, CancellationToken ct)
    {
        await _mediator.Send(new RevokeApiKeyCommand(tenantId, keyId), ct);
        return NoContent();
    }
}
