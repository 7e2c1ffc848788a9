using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Replies;

/// <summary>Notices (the handoff and the away message) and the model's request for a person, on the reply job.</summary>
public sealed class ReplyJobNoticeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(2);
    private static readonly ReplyRetryPolicy Policy = new(3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));

    private static ChatSession Active() => ChatSession.Restore(7, 1, 1, "5511999990001@s.whatsapp.net", false, null, null, null, null, null, T0, T0);

    private static ChatSession WaitingForAPerson()
    {
        var s = Active();
        s.RequestHandoff(T0, Quiet);
        return s;
    }

    private static ChatSession TakenOver()
    {
        var s = Active();
        s.ReceiveOwnerMessage(T0, T0, Quiet);
        return s;
    }

    private static ReplyJob ClaimedNotice(ReplyJobKind kind)
    {
        var job = ReplyJob.QueueNotice(1, 7, kind, " Um momento. ", T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        return job;
    }

    [Test]
    public void QueueNotice_WithItsText_IsPendingAndDueNow()
    {
        var job = ReplyJob.QueueNotice(1, 7, ReplyJobKind.HandoffNotice, " Um momento. ", T0);
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Pending));
        Assert.That(job.ReplyText, Is.EqualTo("Um momento."));
        Assert.That(job.IsClaimable(T0), Is.True);
    }

    [Test]
    public void QueueNotice_WhenTheKindIsNotANotice_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => ReplyJob.QueueNotice(1, 7, ReplyJobKind.Reply, "x", T0));

    [Test]
    public void QueueNotice_WithoutText_Throws() =>
        Assert.Throws<ArgumentException>(() => ReplyJob.QueueNotice(1, 7, ReplyJobKind.AwayNotice, " ", T0));

    [Test]
    public void Claim_WhenANoticeIsDue_IsClaimedByAWorker()
    {
        var job = ReplyJob.QueueNotice(1, 7, ReplyJobKind.AwayNotice, "Fechado.", T0);
        Assert.That(job.IsClaimable(T0), Is.True);
        Assert.That(job.Kind.IsWorkerJob(), Is.True);
    }

    [Test]
    public void BeginSend_WhenAHandoffNoticeAndTheChatWaitsForAPerson_IsSent()
    {
        var job = ClaimedNotice(ReplyJobKind.HandoffNotice);
        Assert.That(job.BeginSend(WaitingForAPerson(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
    }

    [Test]
    public void BeginSend_WhenAHandoffNoticeAndAPersonAlreadyWrote_IsDiscarded()
    {
        var job = ClaimedNotice(ReplyJobKind.HandoffNotice);
        Assert.That(job.BeginSend(TakenOver(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Discarded));
    }

    [Test]
    public void BeginSend_WhenAHandoffNoticeAndTheChatWasResumed_IsDiscarded()
    {
        var job = ClaimedNotice(ReplyJobKind.HandoffNotice);
        Assert.That(job.BeginSend(Active(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
    }

    [Test]
    public void BeginSend_WhenAnAwayNoticeAndTheChatIsActive_IsSent()
    {
        var job = ClaimedNotice(ReplyJobKind.AwayNotice);
        Assert.That(job.BeginSend(Active(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
    }

    [Test]
    public void BeginSend_WhenAnAwayNoticeAndTheChatIsPaused_IsDiscarded()
    {
        var job = ClaimedNotice(ReplyJobKind.AwayNotice);
        Assert.That(job.BeginSend(WaitingForAPerson(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
    }

    [Test]
    public void BeginSend_WhenAReplyAndTheChatWaitsForAPerson_IsDiscarded()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        job.Generate(1, "Olá!", T0);
        Assert.That(job.BeginSend(WaitingForAPerson(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
    }

    [Test]
    public void Fail_WhenANoticeFailsTransiently_IsRetried()
    {
        var job = ClaimedNotice(ReplyJobKind.HandoffNotice);
        Assert.That(job.Fail(1, "whatsapp: 503", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Retry));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Retrying));
    }

    [Test]
    public void ProvedAbsent_WhenANoticeTwiceAbsent_IsSentOnceMore()
    {
        var job = ClaimedNotice(ReplyJobKind.HandoffNotice);
        var session = WaitingForAPerson();
        job.BeginSend(session, 1, T0, SendLease);
        job.MarkOutcomeUnknown("timeout", T0, TimeSpan.FromSeconds(5));
        job.ProvedAbsent(session, T0, SendLease, TimeSpan.FromSeconds(5));
        Assert.That(job.ProvedAbsent(session, T0.AddSeconds(6), SendLease, TimeSpan.FromSeconds(5)), Is.EqualTo(ReplyJobOutcome.Resent));
    }

    [Test]
    public void HandOff_WhenProcessing_EndsTheJobWithNothingSent()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        Assert.That(job.HandOff(1, T0), Is.EqualTo(ReplyJobOutcome.HandedOff));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Cancelled));
        Assert.That(job.IsFinished, Is.True);
    }

    [Test]
    public void HandOff_WhenCancelledMeanwhile_StaysCancelled()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        job.Cancel("human took over", T0);
        Assert.That(job.HandOff(1, T0), Is.EqualTo(ReplyJobOutcome.Cancelled));
    }

    [Test]
    public void HandOff_WhenAnotherAttemptHoldsTheJob_IsLost()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        Assert.That(job.HandOff(2, T0), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
    }

    [Test]
    public void RegisterApiSend_WhenTheKindIsANotice_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => ReplyJob.RegisterApiSend(Active(), ReplyJobKind.HandoffNotice, "x", T0, SendLease));

    [TestCase(ReplyJobKind.HandoffNotice, "handoff_notice")]
    [TestCase(ReplyJobKind.AwayNotice, "away_notice")]
    public void KindNames_ForNotices_RoundTrip(ReplyJobKind kind, string name)
    {
        Assert.That(kind.ToName(), Is.EqualTo(name));
        Assert.That(ReplyJobNames.ParseKind(name), Is.EqualTo(kind));
    }
}
