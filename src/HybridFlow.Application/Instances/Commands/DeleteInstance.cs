using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>Disconnects an instance; its sessions, messages, timeline and reply jobs go with it.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record DeleteInstanceCommand(string? InstanceName, long? TenantId) : IRequest<Unit>, IInstanceRequest;

public sealed class DeleteInstanceCommandValidator : AbstractValidator<DeleteInstanceCommand>
{
    public DeleteInstanceCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class DeleteInstanceCommandHandler : IRequestHandler<DeleteInstanceCommand, Unit>
{
    private readonly IInstanceStore _instances;
    private readonly ICurrentCaller _caller;

    public DeleteInstanceCommandHandler(IInstanceStore instances, ICurrentCaller caller)
    {
        _instances = instances;
        _caller = caller;
    }

    public async Task<Unit> Handle(DeleteInstanceCommand c, CancellationToken ct)
    {
        var instance = await _instances.FindVisibleAsync(_caller, c.InstanceName!, c.TenantId, ct);
        if (!await _instances.DeleteAsync(instance.InstanceName, ct)) throw new NotFoundException("Instance", instance.InstanceName);
        return Unit.Value;
    }
}
