using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreateInstanceCommand(
    long? TenantId,
    string? InstanceName,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret) : IRequest<InstanceDto>;

public sealed class CreateInstanceCommandValidator : AbstractValidator<CreateInstanceCommand>
{
    public CreateInstanceCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax)
            .Matches("^[A-Za-z0-9][A-Za-z0-9 ._@-]*$").WithMessage("instance_name may hold letters, digits, spaces and . _ @ - only.")
            .OverridePropertyName("instance_name");
        RuleFor(c => c.EvoServerUrl).NotEmpty().MaximumLength(InstanceLimits.UrlMax)
            .Must(InstanceLimits.IsHttpUrl)
            .WithMessage("evo_server_url must be an absolute http(s) URL.").OverridePropertyName("evo_server_url");
        RuleFor(c => c.EvoApiKey).NotEmpty().MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("evo_api_key");
        RuleFor(c => c.WebhookSecret).MinimumLength(InstanceLimits.WebhookSecretMin).MaximumLength(InstanceLimits.SecretMax).When(c => c.WebhookSecret is not null)
            .OverridePropertyName("webhook_secret");
    }
}

public sealed class CreateInstanceCommandHandler : IRequestHandler<CreateInstanceCommand, InstanceDto>
{
    private readonly IInstanceStore _instances;
    private readonly ITenantStore _tenants;
    private readonly ICurrentCaller _caller;
    private readonly IOutboundAddressPolicy _outbound;
    private readonly TimeProvider _time;

    public CreateInstanceCommandHandler(IInstanceStore instances, ITenantStore tenants, ICurrentCaller caller, IOutboundAddressPolicy outbound, TimeProvider time)
    {
        _instances = instances;
        _tenants = tenants;
        _caller = caller;
        _outbound = outbound;
        _time = time;
    }

    public async Task<InstanceDto> Handle(CreateInstanceCommand c, CancellationToken ct)
    {
        var tenantId = _caller.TenantFilter(c.TenantId)
                       ?? throw new RequestValidationException("tenant_id", "tenant_id is required with the platform admin key.");
        _ = await _tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("Tenant", tenantId);
        var url = c.EvoServerUrl!.Trim().TrimEnd('/');
        var trusted = await _outbound.AdmitAsync(_caller, "evo_server_url", url, ct);
        var created = await _instances.CreateAsync(
            new NewInstance(tenantId, c.InstanceName!.Trim(), url, c.EvoApiKey!, c.WebhookSecret, trusted),
            _time.GetUtcNow(), ct);
        // Names are global (ADR-009): the answer is the same whichever tenant holds the name, and names no holder.
        return created ?? throw new ConflictException($"The instance name '{c.InstanceName!.Trim()}' is not available; choose another.");
    }
}
