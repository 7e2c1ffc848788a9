using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>Partial update of an instance's Evolution connection; absent fields are kept, a null webhook_secret falls back to the global one.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record UpdateInstanceCommand(
    string? InstanceName,
    long? TenantId,
    Optional<string?> EvoServerUrl,
    Optional<string?> EvoApiKey,
    Optional<string?> WebhookSecret) : IRequest<InstanceDto>, IInstanceRequest;

public sealed class UpdateInstanceCommandValidator : AbstractValidator<UpdateInstanceCommand>
{
    public UpdateInstanceCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
        When(c => c.EvoServerUrl.HasValue, () =>
            RuleFor(c => c.EvoServerUrl.Value).NotEmpty().WithMessage("evo_server_url cannot be empty or null.")
                .MaximumLength(InstanceLimits.UrlMax)
                .Must(InstanceLimits.IsHttpUrl).WithMessage("evo_server_url must be an absolute http(s) URL.")
                .OverridePropertyName("evo_server_url"));
        When(c => c.EvoApiKey.HasValue, () =>
            RuleFor(c => c.EvoApiKey.Value).NotEmpty().WithMessage("evo_api_key cannot be empty or null: Evolution needs it.")
                .MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("evo_api_key"));
        When(c => c.WebhookSecret.HasValue && c.WebhookSecret.Value is not null, () =>
            RuleFor(c => c.WebhookSecret.Value).MinimumLength(InstanceLimits.WebhookSecretMin).MaximumLength(InstanceLimits.SecretMax)
                .OverridePropertyName("webhook_secret"));
    }
}

public sealed class UpdateInstanceCommandHandler : IRequestHandler<UpdateInstanceCommand, InstanceDto>
{
    private readonly IInstanceStore _instances;
    private readonly ICurrentCaller _caller;
    private readonly IOutboundAddressPolicy _outbound;
    private readonly TimeProvider _time;

    public UpdateInstanceCommandHandler(IInstanceStore instances, ICurrentCaller caller, IOutboundAddressPolicy outbound, TimeProvider time)
    {
        _instances = instances;
        _caller = caller;
        _outbound = outbound;
        _time = time;
    }

    public async Task<InstanceDto> Handle(UpdateInstanceCommand c, CancellationToken ct)
    {
        var current = await _instances.FindVisibleAsync(_caller, c.InstanceName!, c.TenantId, ct);
        var url = c.EvoServerUrl.HasValue ? new Optional<string>(c.EvoServerUrl.Value!.Trim().TrimEnd('/')) : default;
        var trusted = url.HasValue && await _outbound.AdmitAsync(_caller, "evo_server_url", url.Value, ct);
        var patch = new InstancePatch(
            url,
            c.EvoApiKey.HasValue ? new Optional<string>(c.EvoApiKey.Value!) : default,
            c.WebhookSecret,
            trusted);
        if (patch.IsEmpty) return current;
        return await _instances.UpdateAsync(current.InstanceName, patch, _time.GetUtcNow(), ct)
               ?? throw new NotFoundException("Instance", current.InstanceName);
    }
}
