using HybridFlow.Application.Replies.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

public sealed record SendResolutionOptions
{
    public bool Enabled { get; init; } = true;
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// Every few seconds (SEND_RESOLVE_SECONDS), settles the sends whose answer was lost or whose sender died: soon after the
/// echo window (SEND_ECHO_WAIT_SECONDS) or a dead process's lease, not at the minute sweep. Safe on many replicas (SKIP LOCKED).
/// </summary>
public sealed class SendResolutionService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly SendResolutionOptions _options;
    private readonly ILogger<SendResolutionService> _logger;

    public SendResolutionService(IServiceScopeFactory scopes, SendResolutionOptions options, ILogger<SendResolutionService> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        using var timer = new PeriodicTimer(_options.Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ResolveUnconfirmedSendsCommand(), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    _logger.LogError(e, "Send resolution pass failed");
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
