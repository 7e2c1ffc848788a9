using HybridFlow.Application.Handoffs.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

internal sealed record NotifyDeliveryOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>Every few seconds (NOTIFY_DELIVERY_SECONDS), POSTs the due handoff_requested events to the tenants' notify_url.</summary>
internal sealed class NotifyDeliveryService : PeriodicCommandService
{
    private readonly NotifyDeliveryOptions _options;

    public NotifyDeliveryService(IServiceScopeFactory scopes, NotifyDeliveryOptions options, ILogger<NotifyDeliveryService> logger)
        : base(scopes, logger) => _options = options;

    protected override bool Enabled => _options.Enabled;
    protected override TimeSpan Interval => _options.Interval;
    protected override string PassName => "Notify delivery pass";

    protected override Task RunPassAsync(IMediator mediator, CancellationToken ct) => mediator.Send(new DeliverNotificationsCommand(), ct);
}
