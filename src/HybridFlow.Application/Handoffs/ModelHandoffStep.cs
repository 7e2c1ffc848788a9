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
    private readonly IChatUnitOfWork _chats;
    private readonly IReplyWorkerSignal _workers;
    private readonly IHybridFlowMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<ModelHandoffStep> _logger;

    public ModelHandoffStep(IChatUnitOfWork chats, IReplyWorkerSignal workers, IHybridFlowMetrics metrics, TimeProvider time, ILogger<ModelHandoffStep> logger)
    {
        _chats = chats;
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
        var handoffReason = string.IsNullOrWhiteSpace(reason) ? why : reason.Trim();
        var decision = await _chats.RunOnSendAsync(claimed.JobId, (SessionOutcome?)null, async (chat, job, token) =>
        {
            // No longer ours, or a person took the chat meanwhile.
            if (job.HandOff(claimed.Attempt, now, why) != ReplyJobOutcome.HandedOff) return chat.RollBack((SessionOutcome?)null);
            var decision = chat.Session.RequestHandoff(now, context.Instance.Tenant.QuietPeriod);
            if (decision == SessionOutcome.HandoffRequested)
                await HandoffRequests.ApplyAsync(chat, context.Instance, context.ChatId, trigger, handoffReason, null, now, correlationId, token);
            return (SessionOutcome?)decision;
        }, ct);
        if (decision is null) return null;

        _logger.LogInformation("Reply job {reply_job_id}: handed to a person, trigger {trigger} ({outcome})", claimed.JobId, trigger, decision);
        if (decision == SessionOutcome.HandoffRequested)
        {
            _metrics.HandoffRequested(trigger);
            _workers.JobQueued();
        }
        return decision;
    }
}
