using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Tenants;
using MediatR;

namespace HybridFlow.Application.Settings.Queries;

/// <summary>
/// GET /api/settings/models: the models a tenant may choose on the platform's key (LLM_ALLOWED_MODELS and the configured
/// defaults). <see cref="ModelChoicesDto.OwnAccount"/>: the tenant has its own key or base URL, so any model name is accepted.
/// The platform admin names the tenant (tenant_id), or sees the platform's list alone.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ListModelChoicesQuery(long? TenantId) : IRequest<ModelChoicesDto>;

/// <summary>One choice: <see cref="IsDefault"/> when it is what a tenant of that provider naming no model gets.</summary>
public sealed record ModelChoiceDto(string Provider, string Model, bool IsDefault);

public sealed record ModelChoicesDto(string DefaultProvider, IReadOnlyList<ModelChoiceDto> Items, bool OwnAccount, string? TranscriptionDefault);

public sealed class ListModelChoicesQueryValidator : AbstractValidator<ListModelChoicesQuery>
{
    public ListModelChoicesQueryValidator() =>
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
}

public sealed class ListModelChoicesQueryHandler : IRequestHandler<ListModelChoicesQuery, ModelChoicesDto>
{
    private readonly PlatformModels _models;
    private readonly ICurrentCaller _caller;
    private readonly ITenantStore _tenants;

    public ListModelChoicesQueryHandler(PlatformModels models, ICurrentCaller caller, ITenantStore tenants)
    {
        _models = models;
        _caller = caller;
        _tenants = tenants;
    }

    public async Task<ModelChoicesDto> Handle(ListModelChoicesQuery query, CancellationToken ct)
    {
        var ownAccount = false;
        if (_caller.TenantFilter(query.TenantId) is { } tenantId)
        {
            var tenant = await _tenants.FindAsync(tenantId, ct) ?? throw new NotFoundException("Tenant", tenantId);
            ownAccount = PlatformModels.ChoiceOf(tenant).OwnAccount;
        }
        var items = _models.Allowed.Select(entry =>
        {
            var colon = entry.IndexOf(':');
            var (provider, model) = (entry[..colon], entry[(colon + 1)..]);
            return new ModelChoiceDto(provider, model, _models.DefaultModel(ModelSetting.LlmModel, provider) == model);
        })
            // TRANSCRIPTION_MODEL is always allowed, for voice notes only: it is no reply model (unless it is also one's default).
            .Where(c => c.Model != _models.TranscriptionModel || c.IsDefault).ToList();
        return new ModelChoicesDto(_models.DefaultProvider, items, ownAccount, _models.TranscriptionModel);
    }
}
