using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

/// <summary>
/// Sends one MediatR command per tick, in a DI scope of its own. A failed pass is logged and the next tick tries again;
/// the commands claim their rows with SKIP LOCKED, so every replica may run them.
/// </summary>
internal abstract class PeriodicCommandService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;

    protected PeriodicCommandService(IServiceScopeFactory scopes, ILogger logger)
    {
        _scopes = scopes;
        _logger = logger;
    }

    protected abstract bool Enabled { get; }
    protected abstract TimeSpan Interval { get; }
    /// <summary>The pass's name in the log.</summary>
    protected abstract string PassName { get; }
    /// <summary>True: the first pass runs at start rather than one interval later.</summary>
    protected virtual bool RunsAtStart => false;

    protected abstract Task RunPassAsync(IMediator mediator, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Enabled) return;
        using var timer = new PeriodicTimer(Interval);
        try
        {
            if (RunsAtStart) await PassAsync(stoppingToken);
            while (await timer.WaitForNextTickAsync(stoppingToken)) await PassAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task PassAsync(CancellationToken stoppingToken)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await RunPassAsync(scope.ServiceProvider.GetRequiredService<IMediator>(), stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            _logger.LogError(e, "{Pass:l} failed", PassName);
        }
    }
}
