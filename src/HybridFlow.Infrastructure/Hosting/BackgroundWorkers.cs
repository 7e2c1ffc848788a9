using HybridFlow.Application.Replies.Commands;
using HybridFlow.Application.Sessions.Commands;
using HybridFlow.Infrastructure.Replies;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

public sealed record WorkerOptions
{
    public int ReplyWorkers { get; init; } = 2;
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);
    public bool Enabled { get; init; } = true;
}

/// <summary>Several loops that each claim and process reply jobs; safe to run on many replicas (SKIP LOCKED).</summary>
public sealed class ReplyWorkerService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly ReplyWorkerSignal _signal;
    private readonly WorkerOptions _options;
    private readonly ILogger<ReplyWorkerService> _logger;

    public ReplyWorkerService(IServiceScopeFactory scopes, ReplyWorkerSignal signal, WorkerOptions options, ILogger<ReplyWorkerService> logger)
    {
        _scopes = scopes;
        _signal = signal;
        _options = options;
        _logger = logger;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        !_options.Enabled
            ? Task.CompletedTask
            : Task.WhenAll(Enumerable.Range(0, Math.Max(1, _options.ReplyWorkers)).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));

    private async Task LoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            bool processed;
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                processed = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessNextReplyJobCommand(), ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The job stays claimed until its lease runs out, then another attempt picks it up.
                _logger.LogError(e, "Reply worker iteration failed");
                processed = false;
            }

            if (processed) continue;
            try
            {
                await _signal.WaitAsync(_options.PollInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>Runs the auto-resume sweep every minute (the cron endpoint runs the same command).</summary>
public sealed class AutoResumeSweepService : BackgroundService
{
    private readonly IServiceScopeFactory _scopes;
    private readonly WorkerOptions _options;
    private readonly ILogger<AutoResumeSweepService> _logger;

    public AutoResumeSweepService(IServiceScopeFactory scopes, WorkerOptions options, ILogger<AutoResumeSweepService> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        using var timer = new PeriodicTimer(_options.SweepInterval);
        do
        {
            try
            {
                await using var scope = _scopes.CreateAsyncScope();
                var result = await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new RunAutoResumeSweepCommand(), stoppingToken);
                if (result.Resumed > 0 || result.Cleaned > 0)
                    _logger.LogInformation("Auto-resume sweep resumed {Resumed} sessions and cleaned {Cleaned} jobs", result.Resumed, result.Cleaned);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Auto-resume sweep failed");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

/// <summary>Applies the SQL migrations before anything else starts (MIGRATE_ON_STARTUP=false turns it off).</summary>
public sealed class MigrationHostedService : IHostedService
{
    private readonly IServiceProvider _services;

    public MigrationHostedService(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken) =>
        _services.GetRequiredService<Persistence.MigrationRunner>().MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
