using System.Collections.Concurrent;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Replies.Commands;
using HybridFlow.Infrastructure.Hosting;
using MediatR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Infrastructure.Replies;

/// <summary>
/// Keeps up to REPLY_CONCURRENCY reply jobs in flight in this process. Claims come in batches, as many as there are free
/// slots (<see cref="IReplyJobStore.ClaimDueBatchAsync"/>: fair between tenants, one job per chat, SKIP LOCKED, so
/// replicas share the work), and each job runs as its own task in its own DI scope. A heartbeat renews the leases of
/// the jobs held, so a short lease is safe while a crashed process's jobs come back within it.
/// </summary>
internal sealed class ReplyDispatcher : BackgroundService
{
    private static readonly TimeSpan PauseAfterClaimFailure = TimeSpan.FromSeconds(1);

    private readonly IServiceScopeFactory _scopes;
    private readonly ReplyWorkerSignal _signal;
    private readonly WorkerOptions _options;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplyDispatcher> _logger;
    private readonly ConcurrentDictionary<long, (ClaimedReplyJob Job, Task Run)> _inFlight = new();

    public ReplyDispatcher(IServiceScopeFactory scopes, ReplyWorkerSignal signal, WorkerOptions options, HybridFlowSettings settings,
        TimeProvider time, ILogger<ReplyDispatcher> logger)
    {
        _scopes = scopes;
        _signal = signal;
        _options = options;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled) return;
        if (_options.ConcurrencyFromDeprecatedReplyWorkers)
            _logger.LogWarning("REPLY_WORKERS is deprecated: it now sets REPLY_CONCURRENCY ({concurrency} jobs in flight per process); rename it",
                _options.ReplyConcurrency);

        // Jobs get their own token: on shutdown they have a grace period to finish instead of being cut off mid-call.
        using var jobsStop = new CancellationTokenSource();
        using var heartbeatStop = new CancellationTokenSource();
        var heartbeat = Task.Run(() => HeartbeatAsync(heartbeatStop.Token), CancellationToken.None);
        try
        {
            await DispatchAsync(jobsStop.Token, stoppingToken);
        }
        finally
        {
            await DrainAsync(jobsStop);
            await heartbeatStop.CancelAsync();
            await heartbeat;
        }
    }

    private async Task DispatchAsync(CancellationToken jobsToken, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = _options.ReplyConcurrency - _inFlight.Count;
            var claimedAll = false;
            if (free > 0)
            {
                IReadOnlyList<ClaimedReplyJob> claimed;
                try
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    claimed = await scope.ServiceProvider.GetRequiredService<IReplyJobStore>()
                        .ClaimDueBatchAsync(_time.GetUtcNow(), _settings.ReplyJobLease, free, _options.TenantConcurrency, stoppingToken);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    _logger.LogError(e, "Claiming reply jobs failed");
                    if (!await WaitAsync(Max(PauseAfterClaimFailure, _options.PollInterval), stoppingToken)) return;
                    continue;
                }

                foreach (var job in claimed) Start(job, jobsToken);
                // A full batch means more may be due right now.
                claimedAll = claimed.Count == free;
            }

            if (claimedAll) continue;
            // Woken by a queued job, a finished one (its chat or tenant may have more), or the poll for other replicas' jobs.
            if (!await WaitAsync(_options.PollInterval, stoppingToken)) return;
        }
    }

    private void Start(ClaimedReplyJob job, CancellationToken ct)
    {
        var run = new TaskCompletionSource();
        _inFlight[job.JobId] = (job, run.Task);
        _ = Task.Run(async () =>
        {
            try
            {
                await ProcessAsync(job, ct);
            }
            finally
            {
                _inFlight.TryRemove(job.JobId, out _);
                run.TrySetResult();
                _signal.JobQueued();
            }
        }, CancellationToken.None);
    }

    private async Task ProcessAsync(ClaimedReplyJob job, CancellationToken ct)
    {
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new ProcessReplyJobCommand(job), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutdown after the grace period: the lease brings the job back on another process (or after the restart).
        }
        catch (Exception e)
        {
            // No longer renewed from here on, so the lease runs out and another attempt picks the job up.
            _logger.LogError(e, "Reply job {reply_job_id} failed on attempt {attempt}", job.JobId, job.Attempt);
        }
    }

    private async Task HeartbeatAsync(CancellationToken ct)
    {
        var interval = Max(TimeSpan.FromTicks(_settings.ReplyJobLease.Ticks / 3), TimeSpan.FromMilliseconds(100));
        using var timer = new PeriodicTimer(interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var held = _inFlight.Values.Select(v => v.Job).ToList();
                if (held.Count == 0) continue;
                try
                {
                    await using var scope = _scopes.CreateAsyncScope();
                    await scope.ServiceProvider.GetRequiredService<IReplyJobStore>().RenewLeasesAsync(held, _time.GetUtcNow(), _settings.ReplyJobLease, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e)
                {
                    _logger.LogWarning(e, "Renewing the leases of {count} reply jobs failed", held.Count);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DrainAsync(CancellationTokenSource jobsStop)
    {
        var running = _inFlight.Values.Select(v => v.Run).ToList();
        if (running.Count > 0)
        {
            var all = Task.WhenAll(running);
            if (await Task.WhenAny(all, Task.Delay(_options.ShutdownGrace, _time)) != all)
                _logger.LogWarning("{count} reply jobs still running at shutdown are left to their lease", _inFlight.Count);
        }
        await jobsStop.CancelAsync();
        // Let the cancelled ones record what they can; whatever is left is covered by the lease.
        await Task.WhenAny(Task.WhenAll(_inFlight.Values.Select(v => v.Run)), Task.Delay(TimeSpan.FromSeconds(1), _time));
    }

    private async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try
        {
            await _signal.WaitAsync(timeout, ct);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
