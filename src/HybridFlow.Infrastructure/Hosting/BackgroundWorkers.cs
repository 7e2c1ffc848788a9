using HybridFlow.Application.Sessions.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

public sealed record WorkerOptions
{
    /// <summary>REPLY_CONCURRENCY: reply jobs in flight per process.</summary>
    public int ReplyConcurrency { get; init; } = 256;
    /// <summary>REPLY_TENANT_CONCURRENCY: reply jobs of one tenant in flight, across every replica.</summary>
    public int TenantConcurrency { get; init; } = 128;
    /// <summary>Set when the deprecated REPLY_WORKERS gave <see cref="ReplyConcurrency"/>; the dispatcher says so in the log.</summary>
    public bool ConcurrencyFromDeprecatedReplyWorkers { get; init; }
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>REPLY_SHUTDOWN_GRACE_SECONDS: on shutdown, how long jobs in flight may finish before they are left to their lease.</summary>
    public TimeSpan ShutdownGrace { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan SweepInterval { get; init; } = TimeSpan.FromMinutes(1);
    public bool Enabled { get; init; } = true;
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
