using HybridFlow.Api.Contracts;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Instances;
using HybridFlow.Application.Instances.Commands;
using HybridFlow.Application.Instances.Queries;
using MediatR;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace HybridFlow.Api.Controllers;

/// <summary>
/// WhatsApp numbers of a tenant: Evolution instances, or Cloud API numbers (provider meta_cloud). Secrets are write-only
/// and shown masked (****1234).
/// </summary>
[ApiController]
[Authorize]
[Route("api/instances")]
[Produces("application/json")]
public sealed class InstancesController : ControllerBase
{
    private readonly IMediator _mediator;

    public InstancesController(IMediator mediator) => _mediator = mediator;

    /// <summary>Connects an Evolution instance or a Cloud API number to a tenant (platform admin or tenant_admin).</summary>
    /// <remarks>
    /// Secrets are stored and never shown again in full. Next step for Evolution: configure-webhook. For a Cloud API number
    /// (provider meta_cloud): point the Meta app's webhook at /webhooks/meta (README, "Connect a Cloud API number"). A
    /// meta_phone_number_id connected already is 409.
    /// </remarks>
    [HttpPost]
    [ProducesResponseType(typeof(InstanceDto), 201)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public async Task<ActionResult<InstanceDto>> Create(CreateInstanceRequest body, CancellationToken ct)
    {
        var instance = await _mediator.Send(
            new CreateInstanceCommand(body.TenantId, body.InstanceName, body.EvoServerUrl, body.EvoApiKey, body.WebhookSecret, body.Provider,
                body.MetaPhoneNumberId, body.MetaWabaId, body.MetaAccessToken, body.MetaAppSecret, body.MetaVerifyToken) { EvoGlobalApiKey = body.EvoGlobalApiKey }, ct);
        return Created($"/api/instances/{Uri.EscapeDataString(instance.InstanceName)}?tenant_id={instance.TenantId}", instance);
    }

    /// <summary>Lists instances, optionally of one tenant (a tenant key sees only its own).</summary>
    /// <param name="tenantId">Only this tenant's instances.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet]
    [ProducesResponseType(typeof(PagedResult<InstanceDto>), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<PagedResult<InstanceDto>> List([FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ListInstancesQuery(tenantId), ct);

    /// <summary>One instance, by its Evolution instance name.</summary>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("{name}")]
    [ProducesResponseType(typeof(InstanceDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<InstanceDto> Get(string name, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new GetInstanceQuery(name, tenantId), ct);

    /// <summary>Changes the instance's Evolution connection or its Cloud API number and secrets (platform admin or tenant_admin).</summary>
    /// <remarks>
    /// Absent fields are kept; <c>webhook_secret: null</c> removes the instance secret. The evo_ fields are for evolution
    /// instances and the meta_ fields for meta_cloud ones (400 otherwise); a meta_phone_number_id connected already is 409.
    /// </remarks>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="body">The fields to change.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPatch("{name}")]
    [ProducesResponseType(typeof(InstanceDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 409)]
    public Task<InstanceDto> Update(string name, [FromQuery(Name = "tenant_id")] long? tenantId, UpdateInstanceRequest body, CancellationToken ct) =>
        _mediator.Send(new UpdateInstanceCommand(name, tenantId, body.EvoServerUrl, body.EvoApiKey, body.WebhookSecret)
        {
            MetaPhoneNumberId = body.MetaPhoneNumberId, MetaWabaId = body.MetaWabaId, MetaAccessToken = body.MetaAccessToken,
            MetaAppSecret = body.MetaAppSecret, MetaVerifyToken = body.MetaVerifyToken, EvoGlobalApiKey = body.EvoGlobalApiKey,
        }, ct);

    /// <summary>Disconnects an instance; its sessions, messages and timeline are deleted with it (platform admin or tenant_admin).</summary>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpDelete("{name}")]
    [ProducesResponseType(204)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public async Task<IActionResult> Delete(string name, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct)
    {
        await _mediator.Send(new DeleteInstanceCommand(name, tenantId), ct);
        return NoContent();
    }

    /// <summary>Checks that Evolution answers for this instance and reports its WhatsApp connection state.</summary>
    /// <remarks>
    /// Calls Evolution's <c>GET /instance/connectionState/{instance}</c>. Answered 200 even when Evolution is down or refuses:
    /// <c>reachable</c>, <c>http_status</c> and <c>error</c> say what happened. <c>state</c> is open, connecting, close, or null.
    /// </remarks>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("{name}/test-webhook")]
    [ProducesResponseType(typeof(ConnectionTestDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<ConnectionTestDto> TestWebhook(string name, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new TestInstanceWebhookCommand(name, tenantId), ct);

    /// <summary>Points the Evolution instance's webhook at HybridFlow.</summary>
    /// <remarks>
    /// Calls Evolution's <c>POST /webhook/set/{instance}</c> with the URL <c>{webhook_url_base or PUBLIC_BASE_URL}/webhook/{instance}</c>,
    /// the instance's secret in the <c>X-Webhook-Secret</c> header (generated and stored first if the instance has none), and the
    /// events MESSAGES_UPSERT, SEND_MESSAGE, MESSAGES_UPDATE, MESSAGES_DELETE, CONNECTION_UPDATE and QRCODE_UPDATED. An Evolution
    /// error is answered 502 with <c>evolution_status</c>.
    /// </remarks>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="body">Optional: the public URL to use instead of PUBLIC_BASE_URL.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("{name}/configure-webhook")]
    [ProducesResponseType(typeof(ConfiguredWebhookDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public Task<ConfiguredWebhookDto> ConfigureWebhook(string name, [FromQuery(Name = "tenant_id")] long? tenantId,
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] ConfigureWebhookRequest? body, CancellationToken ct) =>
        _mediator.Send(new ConfigureInstanceWebhookCommand(name, tenantId, body?.WebhookUrlBase), ct);

    /// <summary>Connects the Evolution instance to WhatsApp: answers the QR code to scan (tenant admins only).</summary>
    /// <remarks>
    /// Calls Evolution's <c>GET /instance/connect/{instance}</c> with the instance token. When Evolution does not know the
    /// instance and it has <c>evo_global_api_key</c>, HybridFlow creates it there first (<c>POST /instance/create</c>;
    /// <c>created_on_evolution</c> is then true, and configure-webhook is the next step). <c>qr_code</c> is a PNG data URL,
    /// <c>pairing_code</c> the code to type instead; both are null once the state is open. An Evolution error is 502.
    /// </remarks>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpPost("{name}/connect")]
    [ProducesResponseType(typeof(InstanceConnectionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    [ProducesResponseType(typeof(ProblemDetails), 502)]
    public Task<InstanceConnectionDto> Connect(string name, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new ConnectInstanceCommand(name, tenantId), ct);

    /// <summary>The instance's WhatsApp connection as Evolution last reported it, with the QR code while it connects (tenant admins only).</summary>
    /// <remarks>
    /// Kept up to date by the QRCODE_UPDATED and CONNECTION_UPDATE webhooks (configure-webhook subscribes them); the set-up
    /// screen polls it. <c>state</c> is open, connecting, close, refused, or null when Evolution has reported nothing yet.
    /// </remarks>
    /// <param name="name">The Evolution instance name.</param>
    /// <param name="tenantId">Optional: the tenant it must belong to.</param>
    /// <param name="ct">Cancelled when the caller goes away.</param>
    [HttpGet("{name}/connection")]
    [ProducesResponseType(typeof(InstanceConnectionDto), 200)]
    [ProducesResponseType(typeof(ValidationProblemDetails), 400)]
    [ProducesResponseType(typeof(ProblemDetails), 401)]
    [ProducesResponseType(typeof(ProblemDetails), 403)]
    [ProducesResponseType(typeof(ProblemDetails), 404)]
    public Task<InstanceConnectionDto> Connection(string name, [FromQuery(Name = "tenant_id")] long? tenantId, CancellationToken ct) =>
        _mediator.Send(new GetInstanceConnectionQuery(name, tenantId), ct);
}
