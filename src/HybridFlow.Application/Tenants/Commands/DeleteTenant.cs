using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Tenants.Commands;

/// <summary>Deletes a tenant with its instances, sessions, messages, timeline, reply jobs and keys (platform admin only).</summary>
[RequiresRole(CallerRole.PlatformAdmin)]
public sealed record DeleteTenantCommand(long Id) : IRequest<Unit>, ITenantRequest
{
    long ITenantRequest.TenantId => Id;
}

public sealed class DeleteTenantCommandValidator : AbstractValidator<DeleteTenantCommand>
{
    public DeleteTenantCommandValidator() => RuleFor(c => c.Id).GreaterThan(0).OverridePropertyName("id");
}

public sealed class DeleteTenantCommandHandler : IRequestHandler<DeleteTenantCommand, Unit>
{
    private readonly ITenantStore _tenants;

    public DeleteTenantCommandHandler(ITenantStore tenants)
    {
        _tenants = tenants;
    }

    public async Task<Unit> Handle(DeleteTenantCommand c, CancellationToken ct)
    {
        if (!await _tenants.DeleteAsync(c.Id, ct)) throw new NotFoundException("Tenant", c.Id);
        return Unit.Value;
    }
}
