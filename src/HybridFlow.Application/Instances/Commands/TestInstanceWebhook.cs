using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>Asks Evolution for the instance's connection state and reports it, whatever Evolution answers.</summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record TestInstanceWebhookCommand(string? InstanceName, long? TenantId) : IRequest<ConnectionTestDto>, IInstanceRequest;

/// <summary>
/// The connection check's report. <c>reachable</c> is true when Evolution answered the check (2xx); <c>state</c> is the
/// WhatsApp connection (<c>open</c>, <c>connecting</c>, <c>close</c>) or null; <c>http_status</c> is null when no HTTP answer came.
/// </summary>
public sealed record ConnectionTestDto(string InstanceName, bool Reachable, string? State, int? HttpStatus, string? Error);

public sealed class TestInstanceWebhookCommandValidator : AbstractValidator<TestInstanceWebhookCommand>
{
    public TestInstanceWebhookCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class TestInstanceWebhookCommandHandler : IRequestHandler<TestInstanceWebhookCommand, ConnectionTestDto>
{
    private readonly IInstanceStore _instances;
    private readonly IInstanceDirectory _directory;
    private readonly IEvolutionAdmin _evolution;
    private readonly ICurrentCaller _caller;

    public TestInstanceWebhookCommandHandler(IInstanceStore instances, IInstanceDirectory directory, IEvolutionAdmin evolution, ICurrentCaller caller)
    {
        _instances = instances;
        _directory = directory;
        _evolution = evolution;
        _caller = caller;
    }

    public async Task<ConnectionTestDto> Handle(TestInstanceWebhookCommand c, CancellationToken ct)
    {
        var visible = await _instances.FindVisibleAsync(_caller, c.InstanceName!, c.TenantId, ct);
        if (visible.Provider == HybridFlow.Domain.Chats.ChannelProviders.MetaCloudName)
            throw new RequestValidationException("provider", "This is for Evolution instances: a Cloud API number's webhook is set in its Meta app (README, \"Connect a Cloud API number\").");
        var instance = await _directory.FindByNameAsync(visible.InstanceName, fresh: true, ct) ?? throw new NotFoundException("Instance", visible.InstanceName);
        var report = await _evolution.GetConnectionStateAsync(EvolutionEndpoint.Of(instance), ct);
        return new ConnectionTestDto(instance.InstanceName, report.Reachable, report.State, report.HttpStatus, report.Error);
    }
}
