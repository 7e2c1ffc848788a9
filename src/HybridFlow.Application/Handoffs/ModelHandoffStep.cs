using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Handoffs;

/// <summary>
/// The model called request_human instead of replying: under the chat's lock, the job ends with nothing sent and an
/// active chat is paused for a person (<see cref="HandoffRequests"/>). A chat a person took meanwhile stays theirs.
/// </summary>
public sealed class ModelHandoffStep
{
    private readonly ISendLedger _ledger;
    private readonly IReplyWorkerSignal _workers;
    private readonly IHybridFlowMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHandoffStep> _logger;

    public ModelHandoffStep(ISendLedger ledger, IReplyWorkerSignal workers, IHybridFlowMetrics metrics, TimeProvider time, ILogger<ModelHandoffStep> logger)
    {
        _ledger = ledger;
        _workers = workers;
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    public async Task<SessionOutcome?> HandOffAsync(ClaimedReplyJob claimed, ReplyContext context, HandoffRequest request, string? correlationId, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job) return null;
        if (job.HandOff(claimed.Attempt, now) != ReplyJobOutcome.HandedOff) return null; // no longer ours, or a person took the chat meanwhile

        var reason = string.IsNullOrWhiteSpace(request.Reason) ? "the model asked for a person" : request.Reason.Trim();
        var decision = entry.Session.RequestHandoff(now, context.Instance.Tenant.QuietPeriod);
        if (decision == SessionOutcome.HandoffRequested)
            await HandoffRequests.ApplyAsync(entry, context.Instance, context.ChatId, HandoffRequests.ModelTrigger, reason, null, now, correlationId, ct);
        await entry.CommitAsync(ct);

        _logger.LogInformation("Reply job {reply_job_id}: the model asked for a person ({outcome})", claimed.JobId, decision);
        if (decision == SessionOutcome.HandoffRequested)
        {
            _metrics.HandoffRequested(HandoffRequests.ModelTrigger);
            _workers.JobQueued();
        }
        return decision;
    }
}
