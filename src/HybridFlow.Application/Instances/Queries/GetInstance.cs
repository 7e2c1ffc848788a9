using FluentValidation;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Queries;

[RequiresRole(CallerRole.Agent)]
public sealed record GetInstanceQuery(string? InstanceName, long? TenantId) : IRequest<InstanceDto>;

public sealed class GetInstanceQueryValidator : AbstractValidator<GetInstanceQuery>
{
    public GetInstanceQueryValidator()
    {
        RuleFor(q => q.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class GetInstanceQueryHandler : IRequestHandler<GetInstanceQuery, InstanceDto>
{
    private readonly IInstanceStore _instances;
    private readonly ICurrentCaller _caller;

    public GetInstanceQueryHandler(IInstanceStore instances, ICurrentCaller caller)
    {
        _instances = instances;
        _caller = caller;
    }

    public async Task<InstanceDto> Handle(GetInstanceQuery query, CancellationToken ct) =>
        (await _instances.FindVisibleAsync(_caller, query.InstanceName!, query.TenantId, ct)).AsSeenBy(_caller);
}
