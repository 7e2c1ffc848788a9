using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Handoffs;

/// <summary>
/// The model called request_human instead of replying (or the tenant's token budget is used up): under the chat's lock, the job ends with nothing sent and an
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

    public Task<SessionOutcome?> HandOffAsync(ClaimedReplyJob claimed, ReplyContext context, HandoffRequest request, string? correlationId, CancellationToken ct) =>
        HandOffAsync(claimed, context, HandoffRequests.ModelTrigger, request.Reason, "the model asked for a person", correlationId, ct);

    /// <summary>
    /// The tenant's monthly token budget is used up: the same handoff, with trigger budget, before any model call.
    /// </summary>
    public async Task<SessionOutcome?> HandOffForBudgetAsync(ClaimedReplyJob claimed, ReplyContext context, string? correlationId, CancellationToken ct)
    {
        var decision = await HandOffAsync(claimed, context, HandoffRequests.BudgetTrigger, BudgetReason, BudgetReason, correlationId, ct);
        if (decision == SessionOutcome.HandoffRequested) _metrics.BudgetHandoff();
        return decision;
    }

    public const string BudgetReason = "the monthly token budget is used up";

    private async Task<SessionOutcome?> HandOffAsync(
        ClaimedReplyJob claimed, ReplyContext context, string trigger, string? reason, string why, string? correlationId, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job) return null;
        if (job.HandOff(claimed.Attempt, now, why) != ReplyJobOutcome.HandedOff) return null; // no longer ours, or a person took the chat meanwhile

        reason = string.IsNullOrWhiteSpace(reason) ? why : reason.Trim();
        var decision = entry.Session.RequestHandoff(now, context.Instance.Tenant.QuietPeriod);
        if (decision == SessionOutcome.HandoffRequested)
            await HandoffRequests.ApplyAsync(entry, context.Instance, context.ChatId, trigger, reason, null, now, correlationId, ct);
        await entry.CommitAsync(ct);

        _logger.LogInformation("Reply job {reply_job_id}: handed to a person, trigger {trigger} ({outcome})", claimed.JobId, trigger, decision);
        if (decision == SessionOutcome.HandoffRequested)
        {
            _metrics.HandoffRequested(trigger);
            _workers.JobQueued();
        }
        return decision;
    }
}
