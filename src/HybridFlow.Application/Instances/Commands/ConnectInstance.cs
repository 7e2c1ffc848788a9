using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Domain.Chats;
using MediatR;

namespace HybridFlow.Application.Instances.Commands;

/// <summary>
/// Asks the tenant's Evolution to connect the instance to WhatsApp (<c>GET /instance/connect/{instance}</c> with the instance
/// token) and answers the QR code to scan. When Evolution does not know the instance and the instance has
/// <c>evo_global_api_key</c>, it is created there first (<c>POST /instance/create</c>). The QR code is for the tenant's
/// admins only: it is stored for the set-up screen (encrypted) and goes nowhere else.
/// </summary>
[RequiresRole(CallerRole.TenantAdmin)]
public sealed record ConnectInstanceCommand(string? InstanceName, long? TenantId) : IRequest<InstanceConnectionDto>, IInstanceRequest;

public sealed class ConnectInstanceCommandValidator : AbstractValidator<ConnectInstanceCommand>
{
    public ConnectInstanceCommandValidator()
    {
        RuleFor(c => c.InstanceName).NotEmpty().MaximumLength(InstanceLimits.NameMax).OverridePropertyName("name");
        RuleFor(c => c.TenantId).GreaterThan(0).When(c => c.TenantId is not null).OverridePropertyName("tenant_id");
    }
}

public sealed class ConnectInstanceCommandHandler : IRequestHandler<ConnectInstanceCommand, InstanceConnectionDto>
{
    public const string ForEvolutionOnly =
        "This is for Evolution instances: a Cloud API number is connected in Meta's WhatsApp Manager (README, \"Connect a Cloud API number\").";

    private readonly IInstanceStore _instances;
    private readonly IInstanceDirectory _directory;
    private readonly IInstanceConnectionStore _connections;
    private readonly IEvolutionAdmin _evolution;
    private readonly ICurrentCaller _caller;
    private readonly TimeProvider _time;

    public ConnectInstanceCommandHandler(IInstanceStore instances, IInstanceDirectory directory, IInstanceConnectionStore connections,
        IEvolutionAdmin evolution, ICurrentCaller caller, TimeProvider time)
    {
        _instances = instances;
        _directory = directory;
        _connections = connections;
        _evolution = evolution;
        _caller = caller;
        _time = time;
    }

    public async Task<InstanceConnectionDto> Handle(ConnectInstanceCommand c, CancellationToken ct)
    {
        var visible = await _instances.FindVisibleAsync(_caller, c.InstanceName!, c.TenantId, ct);
        if (visible.Provider == ChannelProviders.MetaCloudName) throw new RequestValidationException("provider", ForEvolutionOnly);
        var instance = await _directory.FindByNameAsync(visible.InstanceName, fresh: true, ct) ?? throw new NotFoundException("Instance", visible.InstanceName);
        var endpoint = EvolutionEndpoint.Of(instance);

        var answer = await _evolution.ConnectAsync(endpoint, ct);
        var created = false;
        if (answer.NotFound && await _instances.FindEvolutionGlobalKeyAsync(instance.InstanceName, ct) is { } globalKey)
        {
            var creation = await _evolution.CreateInstanceAsync(endpoint with { ApiKey = globalKey }, instance.EvolutionApiKey ?? "", ct);
            if (!creation.Succeeded && !creation.NameTaken)
                throw new BadGatewayException($"Evolution did not create the instance: {creation.Error}", creation.HttpStatus);
            created = creation.Succeeded;
            answer = creation.Succeeded && creation.QrCode is not null ? creation : await _evolution.ConnectAsync(endpoint, ct);
        }
        if (!answer.Succeeded)
        {
            var hint = answer.NotFound ? " Create it in Evolution, or set the instance's evo_global_api_key so that HybridFlow creates it." : "";
            throw new BadGatewayException($"Evolution did not connect the instance: {answer.Error}{hint}", answer.HttpStatus);
        }

        var now = _time.GetUtcNow();
        var (connection, _) = await _connections.ChangeAsync(instance.InstanceId, current =>
            answer.QrCode is { } qr ? current.ShowQrCode(qr, answer.PairingCode, asked: true, now)
            : WhatsAppLinkStates.TryParse(answer.State, out var state) ? current.Report(state, now)
            : current.Report(WhatsAppLinkState.Connecting, now), ct);
        return InstanceConnectionDto.Of(instance.InstanceName, connection, now, created);
    }
}
