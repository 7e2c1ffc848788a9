using HybridFlow.Application.Replies.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

internal sealed record SendResolutionOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Every few seconds (SEND_RESOLVE_SECONDS), settles the sends whose answer was lost or whose sender died: soon after the
/// echo window (SEND_ECHO_WAIT_SECONDS) or a dead process's lease, not at the minute sweep.
/// </summary>
internal sealed class SendResolutionService : PeriodicCommandService
{
    private readonly SendResolutionOptions _options;

    public SendResolutionService(IServiceScopeFactory scopes, SendResolutionOptions options, ILogger<SendResolutionService> logger)
        : base(scopes, logger) => _options = options;

    protected override bool Enabled => _options.Enabled;
    protected override TimeSpan Interval => _options.Interval;
    protected override string PassName => "Send resolution pass";

    protected override Task RunPassAsync(IMediator mediator, CancellationToken ct) => mediator.Send(new ResolveUnconfirmedSendsCommand(), ct);
}
