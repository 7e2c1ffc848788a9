using HybridFlow.Application.Common;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Common.Security;
using HybridFlow.Application.Replies;
using HybridFlow.Domain.Sessions;
using MediatR;

namespace HybridFlow.Application.Sessions.Commands;

/// <summary>Resumes every paused session whose pause has run out, settles sends whose answer was lost, and purges old finished reply jobs, inbox events and ended logins.</summary>
[AllowAnonymousCaller]
public sealed record RunAutoResumeSweepCommand : IRequest<AutoResumeSweepResult>;

public sealed record AutoResumeSweepResult(int Resumed, int Cleaned);

public sealed class RunAutoResumeSweepCommandHandler : IRequestHandler<RunAutoResumeSweepCommand, AutoResumeSweepResult>
{
    private const int BatchSize = 500;
    /// <summary>Inbox events are kept an hour: enough for the 10 minutes a reconnecting browser is replayed.</summary>
    public static readonly TimeSpan InboxEventRetention = TimeSpan.FromHours(1);
    private readonly IChatUnitOfWork _chats;
    private readonly ISessionQueries _sessions;
    private readonly IReplyJobStore _jobs;
    private readonly UnconfirmedSendResolver _sends;
    private readonly HybridFlowSettings _settings;
    private readonly TimeProvider _time;
    private readonly IMessageReceiptStore _receipts;
    private readonly IInboxEventFeed _inboxEvents;
    private readonly ILoginSessionStore _loginSessions;

    public RunAutoResumeSweepCommandHandler(IChatUnitOfWork chats, ISessionQueries sessions, IReplyJobStore jobs, UnconfirmedSendResolver sends, HybridFlowSettings settings, TimeProvider time,
        IMessageReceiptStore receipts, IInboxEventFeed inboxEvents, ILoginSessionStore loginSessions)
    {
        _loginSessions = loginSessions;
        _receipts = receipts;
        _inboxEvents = inboxEvents;
        _chats = chats;
        _sessions = sessions;
        _jobs = jobs;
        _sends = sends;
        _settings = settings;
        _time = time;
    }

    public async Task<AutoResumeSweepResult> Handle(RunAutoResumeSweepCommand request, CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var resumed = 0;
        foreach (var (sessionId, quietPeriod) in await _sessions.FindAutoResumeCandidatesAsync(now, BatchSize, ct))
        {
            var resumedThis = await _chats.RunAsync(SessionLocator.ById(sessionId, null), false, async (chat, token) =>
            {
                if (chat.Session.AutoResumeIfDue(now, quietPeriod) != SessionOutcome.AutoResumed) return chat.RollBack(false);
                await chat.AddTimelineEventAsync(TimelineActions.AutoResumed, "pause ran out", null, now, token);
                return true;
            }, ct);
            if (resumedThis) resumed++;
        }

        // Deployments without background workers drive the send resolution through the cron endpoint too.
        var cleaned = await _sends.ResolveDueAsync(ct)
                      + await _jobs.PurgeFinishedAsync(now - _settings.FinishedJobRetention, ct)
                      + await _receipts.SettlePendingAsync(now - _settings.PendingReceiptRetention, ct);
        // Not counted as cleaned: those are jobs and receipts, and the events are only a feed's buffer.
        await _inboxEvents.PurgeAsync(InboxEventRetention, ct);
        // Ended logins go with their personal data (address, user agent).
        await _loginSessions.PurgeAsync(now, ct);
        return new AutoResumeSweepResult(resumed, cleaned);
    }
}
