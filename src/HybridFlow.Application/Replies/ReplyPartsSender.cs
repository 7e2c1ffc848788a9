using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using Microsoft.Extensions.Logging;

namespace HybridFlow.Application.Replies;

/// <summary>
/// Sends a claimed job's parts in order, whatever wrote them (the model, or a preset notice as a one-part job): each
/// with the tenant's typing delay, and each after its own collision re-check under the chat's lock, so a person who
/// speaks between two parts stops the rest. One timeline entry for the job, with its part count.
/// </summary>
public sealed class ReplyPartsSender
{
    private readonly ReplySendSteps _steps;
    private readonly HybridFlowSettings _settings;
    private readonly ILogger<ReplyPartsSender> _logger;

    public ReplyPartsSender(ReplySendSteps steps, HybridFlowSettings settings, ILogger<ReplyPartsSender> logger)
    {
        _steps = steps;
        _settings = settings;
        _logger = logger;
    }

    /// <summary>
    /// Sends from <paramref name="first"/> (begun by <see cref="ReplySendSteps.BeginReplyAsync(ClaimedReplyJob, string, IReadOnlyList{string}?, CancellationToken)"/>
    /// or <see cref="ReplySendSteps.BeginNextPartAsync"/>) to the last part; <paramref name="action"/> goes on the timeline once all went out.
    /// Answers the last outcome: <see cref="ReplyJobOutcome.Sent"/> when every part went out.
    /// </summary>
    public async Task<ReplyJobOutcome> SendAsync(
        ClaimedReplyJob job, InstanceContext instance, string chatId, string correlationId, BegunPart first, string action, CancellationToken ct,
        string? detail = null)
    {
        var next = first;
        while (next.MaySend)
        {
            var text = next.Text!;
            var message = new OutgoingText(instance, chatId, text, correlationId, TypingDelay.For(instance.Tenant.Conversation, text));
            var timeline = new PartTimeline(action, detail ?? (next.PartCount > 1 ? $"{next.PartCount} parts" : null));
            var outcome = await _steps.SendAsync(job.JobId, job.Attempt, message, next.Part, timeline, _settings.SendLease, ct);
            if (outcome != ReplyJobOutcome.PartSent)
            {
                if (outcome == ReplyJobOutcome.Sent)
                    _logger.LogInformation("Reply job {reply_job_id} sent on attempt {attempt} in {parts} part(s)", job.JobId, job.Attempt, next.PartCount);
                return outcome;
            }
            next = await _steps.BeginNextPartAsync(job, ct);
        }
        if (next.Outcome != ReplyJobOutcome.Lost)
            _logger.LogInformation("Reply job {reply_job_id} not sent (further): {outcome}", job.JobId, next.Outcome);
        return next.Outcome;
    }
}
