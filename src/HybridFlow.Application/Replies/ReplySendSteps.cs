using System.Globalization;
using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Timeline;
using HybridFlow.Domain.Replies;
using Microsoft.Extensions.Logging;
using HybridFlow.Domain.Messages;
using HybridFlow.Domain.Sessions;
using HybridFlow.Domain.Tenants;
using HybridFlow.Application.Sessions;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The one send protocol, for the reply job, its parts, the resolver's resend and the API send: each step one unit of
/// work of the send's chat (<see cref="IChatUnitOfWork.RunOnSendAsync"/>): the Domain decides, the unit of work stores
/// what it decided.
/// </summary>
public sealed class ReplySendSteps
{
    private readonly IChatUnitOfWork _chats;
    private readonly IWhatsAppGateway _gateway;
    private readonly IHybridFlowMetrics _metrics;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<ReplySendSteps> _logger;

    public ReplySendSteps(IChatUnitOfWork chats, IWhatsAppGateway gateway, IHybridFlowMetrics metrics, HybridFlowSettings settings, TimeProvider time, ILogger<ReplySendSteps> logger)
    {
        _chats = chats;
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
        var begun = await _chats.RunOnSendAsync(claimed.JobId, new BegunPart(ReplyJobOutcome.Lost), async (chat, job, token) =>
        {
            job.Generate(claimed.Attempt, text, parts, now);
            var outcome = job.BeginSend(chat.Session, claimed.Attempt, now, _settings.SendLease);
            if (outcome == ReplyJobOutcome.Lost) return chat.RollBack(new BegunPart(outcome));
            if (note is { } written) await chat.AddTimelineEventAsync(written.Action, written.Detail, null, now, token);
            if (outcome is ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)
                await chat.AddTimelineEventAsync(TimelineActions.AiDiscardedCollision, "a person spoke while the reply was being written", null, now, token);
            return BegunPart.Of(outcome, job);
        }, ct);
        // A job cancelled while its reply was being written was counted as cancelled then.
        if (begun.Outcome != ReplyJobOutcome.Lost) _metrics.ReplyJobChanged(begun.Outcome);
        return begun;
    }

    /// <summary>
    /// A job some of whose parts went out carries on with the next one (the same worker, or the next one after a crash or
    /// a resolved send): the same re-check under the chat's lock, per part. A person who spoke meanwhile drops the rest.
    /// </summary>
    public async Task<BegunPart> BeginNextPartAsync(ClaimedReplyJob claimed, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var begun = await _chats.RunOnSendAsync(claimed.JobId, new BegunPart(ReplyJobOutcome.Lost), async (chat, job, token) =>
        {
            if (!job.HasSentParts) return chat.RollBack(new BegunPart(ReplyJobOutcome.Lost));
            var outcome = job.BeginSend(chat.Session, claimed.Attempt, now, _settings.SendLease);
            if (outcome == ReplyJobOutcome.Lost) return chat.RollBack(new BegunPart(outcome));
            if (outcome is ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)
                await chat.AddTimelineEventAsync(TimelineActions.AiDiscardedCollision,
                    $"a person spoke between the parts: {job.PartIndex} of {job.Parts.Count} parts sent, the rest not sent", null, now, token);
            return BegunPart.Of(outcome, job);
        }, ct);
        if (begun.Outcome != ReplyJobOutcome.Lost) _metrics.ReplyJobChanged(begun.Outcome);
        return begun;
    }

    /// <summary>The model provider asked us to wait (429/overloaded): due again at <paramref name="until"/>, the attempt given back.</summary>
    public async Task PostponeAsync(ClaimedReplyJob claimed, DateTimeOffset until, string reason, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var postponed = await _chats.RunOnSendAsync(claimed.JobId, false, async (chat, job, token) =>
        {
            if (job.Postpone(claimed.Attempt, until, now) == ReplyJobOutcome.Lost) return chat.RollBack(false); // cancelled meanwhile, or no longer ours
            await chat.AddTimelineEventAsync(TimelineActions.AiRateLimited,
                Truncate($"waiting for the model provider until {until:O}, no attempt used: {reason}"), null, now, token);
            return true;
        }, ct);
        if (postponed) _metrics.ReplyJobChanged(ReplyJobOutcome.Postponed);
    }

    /// <summary>
    /// WhatsApp's 24-hour window of the job's Cloud API chat closed at <paramref name="closedAt"/> (null: the customer never
    /// wrote): the job ends with nothing sent, and the timeline says why (<c>outside_service_window</c>).
    /// </summary>
    public async Task EndOutsideServiceWindowAsync(ClaimedReplyJob claimed, DateTimeOffset? closedAt, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var ended = await _chats.RunOnSendAsync(claimed.JobId, false, async (chat, job, token) =>
        {
            if (job.EndOutsideServiceWindow(claimed.Attempt, now) != ReplyJobOutcome.OutsideServiceWindow) return chat.RollBack(false);
            var detail = closedAt is { } at
                ? TimelineDetails.Format(TimelineDetails.WindowClosedAt, ("time", at.ToString("O", CultureInfo.InvariantCulture)))
                : TimelineDetails.Format(TimelineDetails.WindowNeverOpened);
            await chat.AddTimelineEventAsync(TimelineActions.OutsideServiceWindow, detail, null, now, token);
            return true;
        }, ct);
        if (ended) _logger.LogInformation("Reply job {reply_job_id} not sent: outside WhatsApp's 24-hour window", claimed.JobId);
    }

    /// <summary>The same re-check before a workflow POST; nothing is registered.</summary>
    public async Task<ReplyJobOutcome> BeginDispatchAsync(ClaimedReplyJob claimed, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var outcome = await _chats.RunOnSendAsync(claimed.JobId, ReplyJobOutcome.Lost, async (chat, job, token) =>
        {
            var outcome = job.BeginDispatch(chat.Session, claimed.Attempt, now);
            if (outcome is not (ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled)) return chat.RollBack(outcome);
            await chat.AddTimelineEventAsync(TimelineActions.WorkflowDiscardedCollision, "a person spoke before the event went to the workflow", null, now, token);
            return outcome;
        }, ct);
        if (outcome is ReplyJobOutcome.Discarded or ReplyJobOutcome.Cancelled) _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    public async Task CompleteDispatchAsync(ClaimedReplyJob claimed, string detail, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var delivered = await _chats.RunOnSendAsync(claimed.JobId, false, async (chat, job, token) =>
        {
            if (job.CompleteDispatch(claimed.Attempt, now) == ReplyJobOutcome.Lost) return chat.RollBack(false);
            await chat.AddTimelineEventAsync(TimelineActions.WorkflowDelivered, detail, null, now, token);
            return true;
        }, ct);
        if (delivered) _metrics.ReplyJobChanged(ReplyJobOutcome.Sent);
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
        var outcome = await _chats.RunOnSendAsync(sendId, ReplyJobOutcome.Lost, async (chat, job, token) =>
        {
            var messageId = await chat.RecordSentMessageAsync(
                new NewChatMessage(sent.ProviderMessageId, MessageDirection.Bot, "conversation", text, sent.RawJson, now), token);
            var outcome = job.CompleteSend(part, sent.ProviderMessageId, messageId, now, nextPartLease);
            if (outcome == ReplyJobOutcome.Lost) return chat.RollBack(outcome);
            chat.Session.ReceiveEcho(now, now);
            if (outcome == ReplyJobOutcome.Sent || timeline.EveryPart)
                await chat.AddTimelineEventAsync(timeline.Action, timeline.Detail, messageId, now, token);
            return outcome;
        }, ct);
        if (outcome != ReplyJobOutcome.Lost) _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    /// <summary>
    /// Sends a claimed job's parts in order, whatever wrote them (the model, or a preset notice as a one-part job): each
    /// with the tenant's typing delay, and each after its own collision re-check under the chat's lock, so a person who
    /// speaks between two parts stops the rest. One timeline entry for the job, with its part count.
    /// Sends from <paramref name="first"/> (begun by <see cref="BeginReplyAsync(ClaimedReplyJob, string, IReadOnlyList{string}?, CancellationToken, TimelineNote?)"/>
    /// or <see cref="BeginNextPartAsync"/>) to the last part; <paramref name="action"/> goes on the timeline once all went out.
    /// Answers the last outcome: <see cref="ReplyJobOutcome.Sent"/> when every part went out.
    /// </summary>
    public async Task<ReplyJobOutcome> SendPartsAsync(
        ClaimedReplyJob job, InstanceContext instance, string chatId, string correlationId, BegunPart first, string action, CancellationToken ct,
        string? detail = null)
    {
        var next = first;
        while (next.MaySend)
        {
            var text = next.Text!;
            var message = new OutgoingText(instance, chatId, text, correlationId, TypingDelay.For(instance.Tenant.Conversation, text),
                SendCallbackData.ForPart(job.JobId, next.Part));
            var timeline = new PartTimeline(action, detail ?? (next.PartCount > 1 ? TimelineDetails.Format(TimelineDetails.ReplyParts, ("count", next.PartCount)) : null));
            var outcome = await SendAsync(job.JobId, job.Attempt, message, next.Part, timeline, _settings.SendLease, ct);
            if (outcome != ReplyJobOutcome.PartSent)
            {
                if (outcome == ReplyJobOutcome.Sent)
                    _logger.LogInformation("Reply job {reply_job_id} sent on attempt {attempt} in {parts} part(s)", job.JobId, job.Attempt, next.PartCount);
                return outcome;
            }
            next = await BeginNextPartAsync(job, ct);
        }
        if (next.Outcome != ReplyJobOutcome.Lost)
            _logger.LogInformation("Reply job {reply_job_id} not sent (further): {outcome}", job.JobId, next.Outcome);
        return next.Outcome;
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
        catch (WhatsAppSendException e) when (e.Kind == SendFailureKind.Throttled)
        {
            // Nothing went out: the part is tried again after the wait, and the attempt does not count.
            return await ThrottleAsync(sendId, attempt, _time.GetUtcNow() + (e.RetryAfter ?? _settings.ReplyRetryBaseDelay), $"whatsapp: {e.Message}", ct);
        }
        catch (WhatsAppSendException e)
        {
            return await FailAsync(sendId, attempt, ReplyChannel.Ai, $"whatsapp: {e.Message}", e.Kind != SendFailureKind.Transient, ct);
        }
    }

    /// <summary>The channel asked us to slow down (Meta 130429, 131056): due again at <paramref name="until"/>, the attempt given back.</summary>
    public async Task<ReplyJobOutcome> ThrottleAsync(long sendId, int? attempt, DateTimeOffset until, string reason, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var outcome = await _chats.RunOnSendAsync(sendId, ReplyJobOutcome.Lost, async (chat, job, token) =>
        {
            var outcome = job.Throttle(attempt ?? job.Attempts, until, now);
            if (outcome == ReplyJobOutcome.Lost) return chat.RollBack(outcome);
            await chat.AddTimelineEventAsync(TimelineActions.AiRateLimited,
                Truncate($"WhatsApp asked to slow down; sending again at {until:O}, no attempt used: {reason}"), null, now, token);
            return outcome;
        }, ct);
        if (outcome != ReplyJobOutcome.Lost)
        {
            _metrics.ReplyJobChanged(outcome);
            _logger.LogWarning("Send {send_id} throttled by WhatsApp, due again at {retry_at}", sendId, until);
        }
        return outcome;
    }

    /// <summary>The gateway's answer was lost: the send waits for its echo (SEND_ECHO_WAIT_SECONDS), then for Evolution's record.</summary>
    public async Task MarkOutcomeUnknownAsync(long sendId, string error, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var marked = await _chats.RunOnSendAsync(sendId, false, (chat, job, _) =>
            Task.FromResult(job.MarkOutcomeUnknown(error, now, _settings.SendEchoWait) == ReplyJobOutcome.Lost ? chat.RollBack(false) : true), ct);
        if (marked) _logger.LogWarning("Send {send_id} outcome unknown ({error}); looking for proof before sending again", sendId, error);
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
        var (outcome, tried, retryAt) = await _chats.RunOnSendAsync(jobId, (ReplyJobOutcome.Lost, 0, (DateTimeOffset?)null), async (chat, job, token) =>
        {
            var tried = attempt ?? job.Attempts;
            var outcome = job.Fail(tried, Truncate(error), permanent, _settings.RetryPolicy, now);
            if (outcome == ReplyJobOutcome.Lost) return chat.RollBack((outcome, tried, (DateTimeOffset?)null)); // no longer ours

            // The error texts name the provider, status and kind only: no message text, no numbers, no keys.
            string action, detail;
            if (outcome == ReplyJobOutcome.Retry)
            {
                action = channel == ReplyChannel.Workflow ? TimelineActions.WorkflowRetry : TimelineActions.AiRetry;
                detail = $"attempt {tried} failed, retrying at {job.DueAt:O}: {error}";
            }
            else
            {
                action = channel == ReplyChannel.Workflow ? TimelineActions.WorkflowFailed : TimelineActions.AiFailed;
                detail = $"attempt {tried}: {error}";
                if (needsPerson) chat.Session.FlagForAttention(now);
            }
            await chat.AddTimelineEventAsync(action, Truncate(detail), null, now, token);
            return (outcome, tried, (DateTimeOffset?)job.DueAt);
        }, ct);
        if (outcome == ReplyJobOutcome.Lost) return outcome;
        // Logged once committed: the decision itself only acts through the chat.
        if (outcome == ReplyJobOutcome.Retry)
            _logger.LogWarning("Reply job {reply_job_id} attempt {attempt} failed, retrying at {retry_at}: {error}", jobId, tried, retryAt, error);
        else
            _logger.LogWarning("Reply job {reply_job_id} failed for good on attempt {attempt}: {error}", jobId, tried, error);
        _metrics.ReplyJobChanged(outcome);
        return outcome;
    }

    /// <summary>
    /// An API send (send-message, the inbox's composer) of <paramref name="kind"/> api_bot or api_agent, registered under
    /// the chat's lock (created if missing) before the gateway is called, so that its echo is recognised even if it comes
    /// first. Null when the bot may not speak: the chat is paused (the refusal goes on the timeline).
    /// </summary>
    public async Task<(long SendId, long SessionId)?> RegisterApiSendAsync(
        InstanceContext instance, string chatId, ReplyJobKind kind, string text, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var (send, sessionId) = await _chats.RunAsync(instance, chatId, now, async (chat, token) =>
        {
            if (kind == ReplyJobKind.ApiBot && chat.Session.IsPaused)
            {
                // The same rule as the worker's re-check: the bot never speaks over a person who took the chat.
                await chat.AddTimelineEventAsync(TimelineActions.BotSendRefused, $"the chat is paused ({chat.Session.PauseReason?.ToName() ?? "paused"})", null, now, token);
                return ((ReplyJob?)null, chat.Session.Id);
            }

            await chat.AcknowledgeUnknownSendsAsync("someone wrote in the chat through the API", now, token);
            chat.Session.AcknowledgeAttention(now);
            var registered = ReplyJob.RegisterApiSend(chat.Session, kind, text, now, _settings.SendLease);
            chat.Register(registered);
            return ((ReplyJob?)registered, chat.Session.Id);
        }, ct);
        // The send's id was assigned by the commit.
        return send is null ? null : (send.Id, sessionId);
    }

    /// <summary>
    /// The gateway answered an API send with its id: the message is recorded (or found, when its echo came first) with
    /// the sender <paramref name="sentByUserId"/>, and takes its effect on the chat (<see cref="TakeEffectAsync"/>).
    /// </summary>
    public async Task CompleteApiSendAsync(
        long sendId, TenantPolicy tenant, string text, SentText sent, long? sentByUserId, string agentDetail, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        // Nothing to record when the chat was deleted meanwhile.
        await _chats.RunOnSendAsync(sendId, false, async (chat, send, token) =>
        {
            var messageId = await chat.RecordSentMessageAsync(
                new NewChatMessage(sent.ProviderMessageId, DirectionOf(send.Kind), "conversation", text, sent.RawJson, now, SentByUserId: sentByUserId), token);
            send.CompleteSend(sent.ProviderMessageId, messageId, now);
            await TakeEffectAsync(chat, send, tenant, messageId, now, now, agentDetail, token);
            if (send.Kind != ReplyJobKind.ApiAgent)
                await chat.AddTimelineEventAsync(TimelineActions.BotSent, "sent as bot through the API", messageId, now, token);
            return true;
        }, ct);
    }

    /// <summary>The gateway refused an API send: it fails for good (its caller is told), <c>send_failed</c> on the timeline.</summary>
    public async Task FailApiSendAsync(long sendId, string detail, string error, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        await _chats.RunOnSendAsync(sendId, false, async (chat, send, token) =>
        {
            send.Fail(send.Attempts, error, permanent: true, _settings.RetryPolicy, now);
            await chat.AddTimelineEventAsync(TimelineActions.SendFailed, detail, null, now, token);
            return true;
        }, ct);
    }

    /// <summary>The direction a send's message is stored with: an agent's is a person's, every other is the bot's.</summary>
    internal static MessageDirection DirectionOf(ReplyJobKind kind) => kind == ReplyJobKind.ApiAgent ? MessageDirection.Human : MessageDirection.Bot;

    /// <summary>
    /// What a send that went out does to its chat, however it was proved: an agent's message is a person taking the chat
    /// over (<see cref="HumanTakeover"/>); the bot's only touches the chat's times.
    /// </summary>
    internal static async Task TakeEffectAsync(
        IChatWork chat, ReplyJob send, TenantPolicy tenant, long messageId, DateTimeOffset sentAt, DateTimeOffset now, string agentDetail, CancellationToken ct)
    {
        if (send.Kind == ReplyJobKind.ApiAgent)
            await HumanTakeover.ApplyAsync(chat, tenant, messageId, sentAt, now, agentDetail, ct);
        else
            chat.Session.ReceiveEcho(sentAt, now);
    }

    internal static string Truncate(string s) => s.Length <= 2000 ? s : s[..2000];
}
