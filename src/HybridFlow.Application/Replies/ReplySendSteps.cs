using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Domain.Replies;
using Microsoft.Extensions.Logging;
using HybridFlow.Domain.Messages;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The steps of the send protocol that the worker and the send resolver share, each one chat transaction through the
/// <see cref="ISendLedger"/>: the Domain decides, the ledger stores what it decided.
/// </summary>
public sealed class ReplySendSteps
{
    private readonly ISendLedger _ledger;
    private readonly IWhatsAppGateway _gateway;
    private readonly IHybridFlowMetrics _metrics;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplySendSteps> _logger;

    public ReplySendSteps(ISendLedger ledger, IWhatsAppGateway gateway, IHybridFlowMetrics metrics, HybridFlowSettings settings, TimeProvider time, ILogger<ReplySendSteps> logger)
    {
        _ledger = ledger;
        _gateway = gateway;
        _metrics = metrics;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>Keeps the reply, re-checks the chat under its lock and registers the send; a collision is recorded on the timeline.</summary>
    public async Task<ReplyJobOutcome> BeginReplyAsync(ClaimedReplyJob claimed, string text, CancellationToken ct) =>
        (await BeginReplyAsync(claimed, text, null, ct)).Outcome;

    /// <summary>
    /// The same, for a reply that goes out as <paramref name="parts"/> (null: one message): the first part's send is registered.
    /// <paramref name="note"/> goes on the timeline with it (how the reply was written, e.g. ai_truncated).
    /// </summary>
    public async Task<BegunPart> BeginReplyAsync(ClaimedReplyJob claimed, string text, IReadOnlyList<string>? parts, CancellationToken ct, TimelineNote? note = null)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job) return new BegunPart(ReplyJobOutcome.Lost);
        job.Generate(claimed.Attempt, text, parts, now);
        var outcome = job.BeginSend(entry.Session, claimed.Attempt, now, _settings.SendLease);
        if (outcome == ReplyJobOutcome.Lost) return new BegunPart(outcome);
        if (note is { } written) await entry.AddTimelineEventAsync(written.Action, written.Detail, null, now, ct);
        if (outcome is ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)
            await entry.AddTimelineEventAsync(TimelineActions.AiDiscardedCollision, "a person spoke while the reply was being written", null, now, ct);
        await entry.CommitAsync(ct);
        // A job cancelled while its reply was being written was counted as cancelled then.
        _metrics.ReplyJobChanged(outcome);
        return BegunPart.Of(outcome, job);
    }

    /// <summary>
    /// A job some of whose parts went out carries on with the next one (the same worker, or the next one after a crash or
    /// a resolved send): the same re-check under the chat's lock, per part. A person who spoke meanwhile drops the rest.
    /// </summary>
    public async Task<BegunPart> BeginNextPartAsync(ClaimedReplyJob claimed, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { HasSentParts: true } job) return new BegunPart(ReplyJobOutcome.Lost);
        var outcome = job.BeginSend(entry.Session, claimed.Attempt, now, _settings.SendLease);
        if (outcome == ReplyJobOutcome.Lost) return new BegunPart(outcome);
        if (outcome is ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)
            await entry.AddTimelineEventAsync(TimelineActions.AiDiscardedCollision,
                $"a person spoke between the parts: {job.PartIndex} of {job.Parts.Count} parts sent, the rest not sent", null, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(outcome);
        return BegunPart.Of(outcome, job);
    }

    /// <summary>The model provider asked us to wait (429/overloaded): due again at <paramref name="until"/>, the attempt given back.</summary>
    public async Task PostponeAsync(ClaimedReplyJob claimed, DateTimeOffset until, string reason, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job || job.Postpone(claimed.Attempt, until, now) == ReplyJobOutcome.Lost) return; // cancelled meanwhile, or no longer ours
        await entry.AddTimelineEventAsync(TimelineActions.AiRateLimited,
            Truncate($"waiting for the model provider until {until:O}, no attempt used: {reason}"), null, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(ReplyJobOutcome.Postponed);
    }

    /// <summary>The same re-check before a workflow POST; nothing is registered.</summary>
    public async Task<ReplyJobOutcome> BeginDispatchAsync(ClaimedReplyJob claimed, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job) return ReplyJobOutcome.Lost;
        var outcome = job.BeginDispatch(entry.Session, claimed.Attempt, now);
        if (outcome is not (ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)) return outcome;
        await entry.AddTimelineEventAsync(TimelineActions.WorkflowDiscardedCollision, "a person spoke before the event went to the workflow", null, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    public async Task CompleteDispatchAsync(ClaimedReplyJob claimed, string detail, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(claimed.JobId, ct);
        if (entry?.Job is not { } job || job.CompleteDispatch(claimed.Attempt, now) == ReplyJobOutcome.Lost) return;
        await entry.AddTimelineEventAsync(TimelineActions.WorkflowDelivered, detail, null, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(ReplyJobOutcome.Sent);
    }

    /// <summary>
    /// The gateway answered with the id of part <paramref name="part"/>: the bot's message is recorded (or found, when its
    /// echo came first), the session touched and the part closed; the job moves to its next part (held for
    /// <paramref name="nextPartLease"/>) or is sent, and <paramref name="timeline"/> says what goes on the timeline.
    /// </summary>
    public async Task<ReplyJobOutcome> CompleteReplyAsync(
        long sendId, int part, string text, SentText sent, PartTimeline timeline, TimeSpan nextPartLease, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(sendId, ct);
        if (entry?.Job is not { } job) return ReplyJobOutcome.Lost;
        var messageId = await entry.RecordSentMessageAsync(
            new NewChatMessage(sent.ProviderMessageId, MessageDirection.Bot, "conversation", text, sent.RawJson, now), ct);
        var outcome = job.CompleteSend(part, sent.ProviderMessageId, messageId, now, nextPartLease);
        if (outcome == ReplyJobOutcome.Lost) return outcome;
        entry.Session.ReceiveEcho(now, now);
        if (outcome == ReplyJobOutcome.Sent || timeline.EveryPart)
            await entry.AddTimelineEventAsync(timeline.Action, timeline.Detail, messageId, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    /// <summary>
    /// Sends part <paramref name="part"/> of a job whose send of it is begun and records what came of it: sent (the job
    /// done, or at its next part), answer lost (proof follows, never a blind resend), or failed (retried or dead).
    /// </summary>
    public async Task<ReplyJobOutcome> SendAsync(
        long sendId, int? attempt, OutgoingText message, int part, PartTimeline timeline, TimeSpan nextPartLease, CancellationToken ct)
    {
        try
        {
            var sent = await _gateway.SendTextAsync(message, ct);
            var outcome = await CompleteReplyAsync(sendId, part, message.Text, sent, timeline, nextPartLease, ct);
            if (outcome != ReplyJobOutcome.Lost)
                _logger.LogInformation("Send {send_id} part {part} went out provider_message_id={provider_message_id}", sendId, part + 1, sent.ProviderMessageId);
            return outcome;
        }
        catch (WhatsAppSendException e) when (e.Kind == SendFailureKind.OutcomeUnknown)
        {
            // Never sent again blindly: the echo or Evolution's record decides (UnconfirmedSendResolver).
            await MarkOutcomeUnknownAsync(sendId, $"whatsapp: {e.Message}", ct);
            return ReplyJobOutcome.OutcomeUnknown;
        }
        catch (WhatsAppSendException e)
        {
            return await FailAsync(sendId, attempt, ReplyChannel.Ai, $"whatsapp: {e.Message}", e.Kind != SendFailureKind.Transient, ct);
        }
    }

    /// <summary>The gateway's answer was lost: the send waits for its echo (SEND_ECHO_WAIT_SECONDS), then for Evolution's record.</summary>
    public async Task MarkOutcomeUnknownAsync(long sendId, string error, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(sendId, ct);
        if (entry?.Job is not { } job || job.MarkOutcomeUnknown(error, now, _settings.SendEchoWait) == ReplyJobOutcome.Lost) return;
        await entry.CommitAsync(ct);
        _logger.LogWarning("Send {send_id} outcome unknown ({error}); looking for proof before sending again", sendId, error);
    }

    /// <summary>
    /// An attempt failed: retried after the backoff or dead (the Domain decides), on the timeline as
    /// <c>ai_retry</c>/<c>ai_failed</c> (<c>workflow_*</c> for a workflow job). <paramref name="attempt"/> null: the job's current one.
    /// <paramref name="needsPerson"/>: a job that fails for good flags its chat needs_attention (only a person can answer it now).
    /// </summary>
    public async Task<ReplyJobOutcome> FailAsync(
        long jobId, int? attempt, ReplyChannel channel, string error, bool permanent, CancellationToken ct, bool needsPerson = false)
    {
        var now = _time.GetUtcNow();
        await using var entry = await _ledger.OpenAsync(jobId, ct);
        if (entry?.Job is not { } job) return ReplyJobOutcome.Lost;
        var tried = attempt ?? job.Attempts;
        var outcome = job.Fail(tried, Truncate(error), permanent, _settings.RetryPolicy, now);
        if (outcome == ReplyJobOutcome.Lost) return outcome; // no longer ours

        // The error texts name the provider, status and kind only: no message text, no numbers, no keys.
        string action, detail;
        if (outcome == ReplyJobOutcome.Retry)
        {
            _logger.LogWarning("Reply job {reply_job_id} attempt {attempt} failed, retrying at {retry_at}: {error}", jobId, tried, job.DueAt, error);
            action = channel == ReplyChannel.Workflow ? TimelineActions.WorkflowRetry : TimelineActions.AiRetry;
            detail = $"attempt {tried} failed, retrying at {job.DueAt:O}: {error}";
        }
        else
        {
            _logger.LogWarning("Reply job {reply_job_id} failed for good on attempt {attempt}: {error}", jobId, tried, error);
            action = channel == ReplyChannel.Workflow ? TimelineActions.WorkflowFailed : TimelineActions.AiFailed;
            detail = $"attempt {tried}: {error}";
            if (needsPerson) entry.Session.FlagForAttention(now);
        }
        await entry.AddTimelineEventAsync(action, Truncate(detail), null, now, ct);
        await entry.CommitAsync(ct);
        _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    internal static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];
}
