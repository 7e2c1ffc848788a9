using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Chats;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>Partial update of an instance's Evolution connection; absent fields are kept, a null webhook_secret falls back to the global one.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record UpdateInstanceCommand(
    string? InstanceName,
    long? TenantId,
    Optional<string?> EvoServerUrl,
    Optional<string?> EvoApiKey,
    Optional<string?> WebhookSecret) : IRequest<InstanceDto>, IInstanceRequest
{
    public Optional<string?> MetaPhoneNumberId { get; init; }
    public Optional<string?> MetaWabaId { get; init; }
    public Optional<string?> MetaAccessToken { get; init; }
    public Optional<string?> MetaAppSecret { get; init; }
    public Optional<string?> MetaVerifyToken { get; init; }
    public Optional<string?> EvoGlobalApiKey { get; init; }

    public bool ChangesEvolution => EvoServerUrl.HasValue || EvoApiKey.HasValue || WebhookSecret.HasValue || EvoGlobalApiKey.HasValue;

    public bool ChangesMetaCloud => MetaPhoneNumberId.HasValue || MetaWabaId.HasValue || MetaAccessToken.HasValue || MetaAppSecret.HasValue
                                    || MetaVerifyToken.HasValue;
}

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
        When(c => c.EvoGlobalApiKey.HasValue && c.EvoGlobalApiKey.Value is not null, () =>
            RuleFor(c => c.EvoGlobalApiKey.Value).NotEmpty().MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("evo_global_api_key"));
        When(c => c.MetaPhoneNumberId.HasValue, () =>
            RuleFor(c => c.MetaPhoneNumberId.Value).NotEmpty().WithMessage("meta_phone_number_id cannot be empty or null.")
                .MaximumLength(InstanceLimits.MetaIdMax).Matches(InstanceLimits.MetaIdPattern)
                .OverridePropertyName("meta_phone_number_id"));
        When(c => c.MetaWabaId.HasValue && c.MetaWabaId.Value is not null, () =>
            RuleFor(c => c.MetaWabaId.Value).MaximumLength(InstanceLimits.MetaIdMax).Matches(InstanceLimits.MetaIdPattern)
                .OverridePropertyName("meta_waba_id"));
        When(c => c.MetaAccessToken.HasValue, () =>
            RuleFor(c => c.MetaAccessToken.Value).NotEmpty().WithMessage("meta_access_token cannot be empty or null: the Graph API needs it.")
                .MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("meta_access_token"));
        When(c => c.MetaAppSecret.HasValue && c.MetaAppSecret.Value is not null, () =>
            RuleFor(c => c.MetaAppSecret.Value).NotEmpty().MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("meta_app_secret"));
        When(c => c.MetaVerifyToken.HasValue && c.MetaVerifyToken.Value is not null, () =>
            RuleFor(c => c.MetaVerifyToken.Value).NotEmpty().MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("meta_verify_token"));
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
        var isMeta = current.Provider == ChannelProviders.MetaCloudName;
        if (isMeta && c.ChangesEvolution)
            throw new RequestValidationException("provider", "evo_server_url, evo_api_key, evo_global_api_key and webhook_secret are for provider evolution.");
        if (!isMeta && c.ChangesMetaCloud)
            throw new RequestValidationException("provider", "The meta_ fields are for provider meta_cloud.");
        var url = c.EvoServerUrl.HasValue ? new Optional<string>(c.EvoServerUrl.Value!.Trim().TrimEnd('/')) : default;
        var trusted = url.HasValue && await _outbound.AdmitAsync(_caller, "evo_server_url", url.Value, ct);
        var patch = new InstancePatch(
            url,
            c.EvoApiKey.HasValue ? new Optional<string>(c.EvoApiKey.Value!) : default,
            c.WebhookSecret,
            trusted)
        {
            MetaPhoneNumberId = c.MetaPhoneNumberId.HasValue ? new Optional<string>(c.MetaPhoneNumberId.Value!.Trim()) : default,
            MetaWabaId = c.MetaWabaId.HasValue ? new Optional<string?>(c.MetaWabaId.Value?.Trim()) : default,
            MetaAccessToken = c.MetaAccessToken.HasValue ? new Optional<string>(c.MetaAccessToken.Value!) : default,
            MetaAppSecret = c.MetaAppSecret,
            MetaVerifyToken = c.MetaVerifyToken,
            EvoGlobalApiKey = c.EvoGlobalApiKey,
        };
        if (patch.IsEmpty) return current;
        return await _instances.UpdateAsync(current.InstanceName, patch, _time.GetUtcNow(), ct)
               ?? throw new NotFoundException("Instance", current.InstanceName);
    }
}
