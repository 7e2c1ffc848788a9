using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Chats;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

[RequiresRole(CallerRole.TenantAdmin)]
public sealed record CreateInstanceCommand(
    long? TenantId,
    string? InstanceName,
    string? EvoServerUrl,
    string? EvoApiKey,
    string? WebhookSecret,
    string? Provider = null,
    string? MetaPhoneNumberId = null,
    string? MetaWabaId = null,
    string? MetaAccessToken = null,
    string? MetaAppSecret = null,
    string? MetaVerifyToken = null) : IRequest<InstanceDto>
{
    /// <summary>Evolution's global key (write-only), so that HybridFlow can create the instance on Evolution.</summary>
    public string? EvoGlobalApiKey { get; init; }

    /// <summary>Evolution unless <c>provider</c> says otherwise; an unknown provider is refused by the validator.</summary>
    public ChannelProvider Channel => ChannelProviders.TryParse(Provider ?? ChannelProviders.EvolutionName, out var p) ? p : ChannelProvider.Evolution;
}

public sealed class CreateInstanceCommandValidator : AbstractValidator<CreateInstanceCommand>
{
    public CreateInstanceCommandValidator()
    {
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax)
            .Matches("^[A-Za-z0-9][A-Za-z0-9 ._@-]*$").WithMessage("instance_name may hold letters, digits, spaces and . _ @ - only.")
            .OverridePropertyName("instance_name");
        RuleFor(c => c.Provider).Must(p => p is null || ChannelProviders.TryParse(p, out _))
            .WithMessage($"provider must be one of: {string.Join(", ", ChannelProviders.Names)}.").OverridePropertyName("provider");
        When(c => c.Channel == ChannelProvider.Evolution, () =>
        {
            RuleFor(c => c.EvoServerUrl).NotEmpty().MaximumLength(InstanceLimits.UrlMax)
                .Must(InstanceLimits.IsHttpUrl)
                .WithMessage("evo_server_url must be an absolute http(s) URL.").OverridePropertyName("evo_server_url");
            RuleFor(c => c.EvoApiKey).NotEmpty().MaximumLength(InstanceLimits.SecretMax).OverridePropertyName("evo_api_key");
            RuleFor(c => c.EvoGlobalApiKey).NotEmpty().MaximumLength(InstanceLimits.SecretMax).When(c => c.EvoGlobalApiKey is not null)
                .OverridePropertyName("evo_global_api_key");
            RuleFor(c => c.WebhookSecret).MinimumLength(InstanceLimits.WebhookSecretMin).MaximumLength(InstanceLimits.SecretMax).When(c => c.WebhookSecret is not null)
                .OverridePropertyName("webhook_secret");
            RuleFor(c => c).Must(c => c.MetaPhoneNumberId is null && c.MetaWabaId is null && c.MetaAccessToken is null && c.MetaAppSecret is null && c.MetaVerifyToken is null)
                .WithMessage("The meta_ fields are for provider meta_cloud.").OverridePropertyName("provider");
        });
        When(c => c.Channel == ChannelProvider.MetaCloud, () =>
        {
            RuleFor(c => c.MetaPhoneNumberId).NotEmpty().MaximumLength(InstanceLimits.MetaIdMax).Matches(InstanceLimits.MetaIdPattern)
                .WithMessage("meta_phone_number_id is required: the digits of the number's id in Meta's WhatsApp Manager.")
                .OverridePropertyName("meta_phone_number_id");
            RuleFor(c => c.MetaWabaId).MaximumLength(InstanceLimits.MetaIdMax).Matches(InstanceLimits.MetaIdPattern).When(c => c.MetaWabaId is not null)
                .WithMessage("meta_waba_id must be the digits of the WhatsApp Business Account id.").OverridePropertyName("meta_waba_id");
            RuleFor(c => c.MetaAccessToken).NotEmpty().MaximumLength(InstanceLimits.SecretMax)
                .WithMessage("meta_access_token is required: the Graph API needs it.").OverridePropertyName("meta_access_token");
            RuleFor(c => c.MetaAppSecret).NotEmpty().MaximumLength(InstanceLimits.SecretMax).When(c => c.MetaAppSecret is not null)
                .OverridePropertyName("meta_app_secret");
            RuleFor(c => c.MetaVerifyToken).NotEmpty().MaximumLength(InstanceLimits.SecretMax).When(c => c.MetaVerifyToken is not null)
                .OverridePropertyName("meta_verify_token");
            RuleFor(c => c).Must(c => c.EvoServerUrl is null && c.EvoApiKey is null && c.WebhookSecret is null && c.EvoGlobalApiKey is null)
                .WithMessage("evo_server_url, evo_api_key, evo_global_api_key and webhook_secret are for provider evolution.").OverridePropertyName("provider");
        });
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
        NewInstance instance;
        if (c.Channel == ChannelProvider.MetaCloud)
        {
            // The Graph API's address is the platform's (META_GRAPH_URL): there is no tenant URL to admit.
            instance = new NewInstance(tenantId, c.InstanceName!.Trim(), null, null, null, false, ChannelProvider.MetaCloud,
                new MetaCloudAccount(c.MetaPhoneNumberId!.Trim(), c.MetaWabaId?.Trim(), c.MetaAccessToken, c.MetaAppSecret, c.MetaVerifyToken));
        }
        else
        {
            var url = c.EvoServerUrl!.Trim().TrimEnd('/');
            var trusted = await _outbound.AdmitAsync(_caller, "evo_server_url", url, ct);
            instance = new NewInstance(tenantId, c.InstanceName!.Trim(), url, c.EvoApiKey!, c.WebhookSecret, trusted) { EvoGlobalApiKey = c.EvoGlobalApiKey };
        }
        var created = await _instances.CreateAsync(instance, _time.GetUtcNow(), ct);
        // Names are global (ADR-009): the answer is the same whichever tenant holds the name, and names no holder.
        return created ?? throw new ConflictException($"The instance name '{c.InstanceName!.Trim()}' is not available; choose another.");
    }
}
