using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Chats;
using MediatR;

namespace HybridFlow.Application.Instances.Queries;

/// <summary>
/// The instance's WhatsApp connection as Evolution last reported it (its connect answer, QRCODE_UPDATED, CONNECTION_UPDATE),
/// with the QR code while it can be scanned. Tenant admins only: the set-up screen polls it (ADR-018).
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record GetInstanceConnectionQuery(string? InstanceName, long? TenantId) : IRequest<InstanceConnectionDto>, IInstanceRequest;

public sealed class GetInstanceConnectionQueryValidator : AbstractValidator<GetInstanceConnectionQuery>
{
    public GetInstanceConnectionQueryValidator()
    {
        RuleFor(q => q.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(q => q.TenantId).GreaterThan(0).When(q => q.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class GetInstanceConnectionQueryHandler : IRequestHandler<GetInstanceConnectionQuery, InstanceConnectionDto>
{
    private readonly IInstanceStore _instances;
    private readonly IInstanceConnectionStore _connections;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public GetInstanceConnectionQueryHandler(IInstanceStore instances, IInstanceConnectionStore connections, ICurrentCaller caller, TimeProvider time)
    {
        _instances = instances;
        _connections = connections;
        _caller = caller;
        _time = time;
    }

    public async Task<InstanceConnectionDto> Handle(GetInstanceConnectionQuery q, CancellationToken ct)
    {
        var instance = await _instances.FindVisibleAsync(_caller, q.InstanceName!, q.TenantId, ct);
        if (instance.Provider == ChannelProviders.MetaCloudName)
            throw new RequestValidationException("provider", Commands.ConnectInstanceCommandHandler.ForEvolutionOnly);
        var connection = await _connections.FindAsync(instance.Id, ct);
        return InstanceConnectionDto.Of(instance.InstanceName, connection, _time.GetUtcNow());
    }
}
