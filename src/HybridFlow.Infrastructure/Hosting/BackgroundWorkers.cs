using HybridFlow.Application.Sessions.Commands;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Hosting;

internal sealed record WorkerOptions
{
    /// <summary>REPLY_CONCURRENCY: reply jobs in flight per process.</summary>
    public int ReplyConcurrency { get; init; } = 1024;
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

/// <summary>Runs the auto-resume sweep at start and every minute (the cron endpoint runs the same command).</summary>
internal sealed class AutoResumeSweepService : PeriodicCommandService
{
    private readonly WorkerOptions _options;
    private readonly ILogger<AutoResumeSweepService> _logger;

    public AutoResumeSweepService(IServiceScopeFactory scopes, WorkerOptions options, ILogger<AutoResumeSweepService> logger)
        : base(scopes, logger)
    {
        _options = options;
        _logger = logger;
    }

    protected override bool Enabled => _options.Enabled;
    protected override TimeSpan Interval => _options.SweepInterval;
    protected override string PassName => "Auto-resume sweep";
    protected override bool RunsAtStart => true;

    protected override async Task RunPassAsync(IMediator mediator, CancellationToken ct)
    {
        var result = await mediator.Send(new RunAutoResumeSweepCommand(), ct);
        if (result.Resumed > 0 || result.Cleaned > 0)
            _logger.LogInformation("Auto-resume sweep resumed {Resumed} sessions and cleaned {Cleaned} jobs", result.Resumed, result.Cleaned);
    }
}

/// <summary>Applies the SQL migrations before anything else starts (MIGRATE_ON_STARTUP=false turns it off).</summary>
internal sealed class MigrationHostedService : IHostedService
{
    private readonly IServiceProvider _services;

    public MigrationHostedService(IServiceProvider services) => _services = services;

    public Task StartAsync(CancellationToken cancellationToken) =>
        _services.GetRequiredService<Persistence.Postgres.MigrationRunner>().MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
