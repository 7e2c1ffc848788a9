using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Sessions;
using HybridFlow.Domain.Replies;
using Microsoft.Extensions.Logging;
using HybridFlow.Domain.Messages;
using HybridFlow.Domain.Chats;

namespace HybridFlow.Application.Replies;

/// <summary>
/// Settles the sends whose gateway answer was lost, or whose sender died mid-call: the echo proves it went out; without
/// one, Evolution's own record (findMessages) proves it went out or proves it did not; a reply proved absent is sent
/// once more, an API send never is (its caller was told 502). When nothing can tell, the chat is listed for a person.
/// </summary>
public sealed class UnconfirmedSendResolver
{
    private const int BatchSize = 50;
    // An echo window apart each: Evolution restarting or briefly unreachable is waited out (about half a minute by default).
    private const int MaxReadBackFailures = 5;
    // Long enough for a read-back and one more send; a resolver that dies meanwhile leaves it to the next one.
    private static readonly TimeSpan ResolutionLease = TimeSpan.FromSeconds(90);
    private readonly IChatUnitOfWork _chats;
    private readonly IReplyJobStore _jobs;
    private readonly IWhatsAppGateway _gateway;
    private readonly ReplySendSteps _steps;
    private readonly IHybridFlowMetrics _metrics;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger<UnconfirmedSendResolver> _logger;

    public UnconfirmedSendResolver(
        IChatUnitOfWork chats, IReplyJobStore jobs, IWhatsAppGateway gateway, ReplySendSteps steps, IHybridFlowMetrics metrics, HybridFlowSettings settings,
        TimeProvider time, ILogger<UnconfirmedSendResolver> logger)
    {
        _chats = chats;
        _jobs = jobs;
        _gateway = gateway;
        _steps = steps;
        _metrics = metrics;
        _settings = settings;
        _time = time;
        _logger = logger;
    }

    /// <summary>Resolves the sends due for proof; answers how many were taken up.</summary>
    public async Task<int> ResolveDueAsync(CancellationToken ct)
    {
        var due = await _jobs.ClaimUnresolvedSendsAsync(_time.GetUtcNow(), ResolutionLease, BatchSize, ct);
        foreach (var send in due)
        {
            using var scope = _logger.BeginScope(new Dictionary<string, object> { ["reply_job_id"] = send.SendId });
            try
            {
                await ResolveAsync(send, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Its resolution lease runs out and the next pass tries again.
                _logger.LogError(e, "Resolving send {send_id} failed", send.SendId);
            }
        }
        return due.Count;
    }

    private async Task ResolveAsync(UnresolvedSend send, CancellationToken ct)
    {
        var byEcho = send.EchoProviderMessageId is not null;
        var proof = send.EchoProviderMessageId is { } echoId
            ? new SendReadBack(ReadBackVerdict.Found, echoId)
            : await _gateway.FindSentAsync(
                new SentTextQuery(send.Instance, send.ChatId, send.Text, send.NotBefore, send.KnownMessageIds, send.CorrelationId,
                    SendCallbackData.For(send.Kind, send.SendId, send.Part)), ct);
        var isMeta = send.Instance.Provider == ChannelProvider.MetaCloud;

        var now = _time.GetUtcNow();
        var resolved = await _chats.RunOnSendAsync(send.SendId, (ReplyJobOutcome?)null, async (chat, job, token) =>
        {
            // Another resolver took it over, or its sender came back with the answer.
            if (!job.IsResolutionHeldUntil(send.ClaimedUntil)) return chat.RollBack((ReplyJobOutcome?)null);
            ReplyJobOutcome outcome;
            switch (proof.Verdict)
            {
                case ReadBackVerdict.Found:
                    outcome = await ConfirmAsync(chat, job, send, proof, byEcho ? "the echo" : isMeta ? "Meta's status for it" : "Evolution's record", now, token);
                    break;
                case ReadBackVerdict.ProvedAbsent:
                    outcome = job.ProvedAbsent(chat.Session, now, _settings.SendLease, _settings.SendEchoWait);
                    if (outcome == ReplyJobOutcome.Dead)
                        await chat.AddTimelineEventAsync(send.Kind == ReplyJobKind.Reply ? TimelineActions.AiFailed : TimelineActions.SendFailed,
                            job.LastError, null, now, token);
                    else if (outcome == ReplyJobOutcome.Discarded)
                        await chat.AddTimelineEventAsync(TimelineActions.AiDiscardedCollision,
                            "proved not sent, but a person took the chat meanwhile: not sent again", null, now, token);
                    break;
                case ReadBackVerdict.Unavailable when proof.AskAgainAt is { } askAgainAt:
                    // The proof may still come (Meta's statuses lag): looked for again soon, until the wait is over.
                    outcome = job.AwaitProof(askAgainAt < now + _settings.SendEchoWait ? askAgainAt : now + _settings.SendEchoWait, now);
                    break;
                case ReadBackVerdict.Unavailable:
                    outcome = job.ReadBackFailed(now, _settings.SendEchoWait, MaxReadBackFailures);
                    if (outcome == ReplyJobOutcome.NeedsAttention)
                        await chat.AddTimelineEventAsync(TimelineActions.AiOutcomeUnknown,
                            $"{Describe(send.Kind)}: Evolution's record could not be read {MaxReadBackFailures} times; not sent again, a person should check the chat",
                            null, now, token);
                    break;
                default:
                    outcome = job.RequireAttention(now);
                    await chat.AddTimelineEventAsync(TimelineActions.AiOutcomeUnknown, isMeta
                            ? $"{Describe(send.Kind)}: no status from Meta proved it went out within META_STATUS_WAIT_SECONDS; not sent again, a person should check the chat"
                            : $"{Describe(send.Kind)}: neither an echo nor Evolution's record tells whether it went out (is Evolution's message store on?); not sent again, a person should check the chat",
                        null, now, token);
                    break;
            }
            return outcome;
        }, ct);
        if (resolved is not { } outcome) return;
        if (proof.Verdict is not (ReadBackVerdict.Found or ReadBackVerdict.ProvedAbsent or ReadBackVerdict.Unavailable))
            _logger.LogWarning("Send {send_id} outcome unknown: nothing proves whether it went out; listed as needs_attention", send.SendId);
        var resend = proof.Verdict == ReadBackVerdict.ProvedAbsent && outcome == ReplyJobOutcome.Resent;
        if (outcome is not (ReplyJobOutcome.Resent or ReplyJobOutcome.AbsenceSeen or ReplyJobOutcome.ReadBackRetry)) _metrics.ReplyJobChanged(outcome);
        if (resend) await ResendAsync(send, ct);
    }

    private async Task<ReplyJobOutcome> ConfirmAsync(
        IChatWork chat, ReplyJob job, UnresolvedSend send, SendReadBack proof, string by, DateTimeOffset now, CancellationToken ct)
    {
        var sentAt = proof.SentAt ?? now;
        // Recorded under the id Evolution knows it by, so that its late echo is recognised as ours.
        var messageId = await chat.RecordSentMessageAsync(
            new NewChatMessage(proof.ProviderMessageId!, ReplySendSteps.DirectionOf(send.Kind), "conversation", send.Text, proof.RawJson ?? "{}", sentAt), ct);
        var outcome = job.Confirm(proof.ProviderMessageId!, messageId, now);
        await chat.AddTimelineEventAsync(TimelineActions.AiSendConfirmed, $"{Describe(send.Kind)}: the answer was lost; {by} proved it went out", messageId, now, ct);
        await ReplySendSteps.TakeEffectAsync(chat, job, send.Instance.Tenant, messageId, sentAt, now, "sent as agent through the API", ct);
        return outcome;
    }

    private async Task ResendAsync(UnresolvedSend send, CancellationToken ct)
    {
        // Only replies are resent (an API send never is): a bot message, with the tenant's typing delay. A part that is not
        // the last leaves the rest to the next worker's claim (zero lease), with its own collision re-check.
        var message = new OutgoingText(send.Instance, send.ChatId, send.Text, send.CorrelationId, TypingDelay.For(send.Instance.Tenant.Conversation, send.Text),
            SendCallbackData.For(send.Kind, send.SendId, send.Part));
        var outcome = await _steps.SendAsync(send.SendId, null, message, send.Part,
            new PartTimeline(TimelineActions.AiResent, "proved absent from Evolution's record, so sent once more", EveryPart: true), TimeSpan.Zero, ct);
        if (outcome is ReplyJobOutcome.Sent or ReplyJobOutcome.PartSent) _metrics.ReplyJobChanged(ReplyJobOutcome.Resent);
    }

    private static string Describe(ReplyJobKind kind) => kind switch
    {
        ReplyJobKind.ApiBot => "send-message as bot",
        ReplyJobKind.ApiAgent => "send-message as agent",
        _ => "reply",
    };
}
