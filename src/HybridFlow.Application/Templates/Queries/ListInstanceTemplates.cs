using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Instances;
using MediatR;

namespace HybridFlow.Application.Templates.Queries;

/// <summary>
/// GET /api/instances/{name}/templates: the approved templates of a Cloud API instance, for the inbox's template picker.
/// Agents read them too (they send them). Another tenant's instance is a 404; an Evolution instance has no templates
/// (WhatsApp's templates are a Cloud API feature), which is a 409 with the code <c>templates_not_supported</c>.
/// </summary>
[RequiresRole(CallerRole.Agent)]
public sealed record ListInstanceTemplatesQuery(string? InstanceName, bool Refresh) : IRequest<MessageTemplateListDto>;

public sealed class ListInstanceTemplatesQueryValidator : AbstractValidator<ListInstanceTemplatesQuery>
{
    public ListInstanceTemplatesQueryValidator()
    {
        RuleFor(q => q.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
    }
}

public sealed class ListInstanceTemplatesQueryHandler : IRequestHandler<ListInstanceTemplatesQuery, MessageTemplateListDto>
{
    private readonly IInstanceDirectory _instances;
    private readonly IMessageTemplateCatalog _catalog;
    private readonly ICurrentCaller _caller;

    public ListInstanceTemplatesQueryHandler(IInstanceDirectory instances, IMessageTemplateCatalog catalog, ICurrentCaller caller)
    {
        _instances = instances;
        _catalog = catalog;
        _caller = caller;
    }

    public async Task<MessageTemplateListDto> Handle(ListInstanceTemplatesQuery query, CancellationToken ct)
    {
        var name = query.InstanceName!.Trim();
        var instance = await _instances.FindByNameAsync(name, fresh: false, ct) ?? throw new NotFoundException("Instance", name);
        _caller.EnsureCanSee(instance.Tenant.TenantId, "Instance", name);
        var templates = await MessageTemplateSource.ApprovedAsync(_catalog, instance, query.Refresh, ct);
        return new MessageTemplateListDto(instance.InstanceName, templates);
    }
}
