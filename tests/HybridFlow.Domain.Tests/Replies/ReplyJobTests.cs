using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Replies;

/// <summary>Every transition of the reply job, and the ones its statuses refuse.</summary>
public sealed class ReplyJobTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan EchoWait = TimeSpan.FromSeconds(5);
    private static readonly ReplyRetryPolicy Policy = new(3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));

    private static ChatSession ActiveSession() =>
        ChatSession.Restore(7, 1, 1, "5511999990001@s.whatsapp.net", false, null, null, null, null, null, T0, T0);

    private static ChatSession PausedSession()
    {
        var s = ActiveSession();
        s.ReceiveOwnerMessage(T0, T0, TimeSpan.FromHours(2));
        return s;
    }

    private static ReplyJob Job(ReplyJobStatus status, int attempts = 1, ReplyJobKind kind = ReplyJobKind.Reply, string? text = "Olá!",
        DateTimeOffset? lockedUntil = null, string? echoId = null, DateTimeOffset? resentAt = null, DateTimeOffset? absenceSeenAt = null) =>
        ReplyJob.Restore(11, 1, 7, kind, status, attempts, T0, lockedUntil, text, echoId, null, null, resentAt, absenceSeenAt, T0, T0);

    private static ReplyJob Claimed()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        return job;
    }

    private static ReplyJob Sending()
    {
        var job = Claimed();
        job.Generate(1, "Olá!", T0);
        job.BeginSend(ActiveSession(), 1, T0, SendLease);
        return job;
    }

    /// <summary>Awaiting proof, with Evolution's record having shown it absent once already.</summary>
    private static ReplyJob Unconfirmed(ReplyJobKind kind = ReplyJobKind.Reply)
    {
        var job = Job(ReplyJobStatus.Unconfirmed, kind: kind, lockedUntil: T0.AddSeconds(-1), absenceSeenAt: T0.AddSeconds(-5));
        job = ReplyJobStates.ClaimForResolution(job, T0, Lease);
        return job;
    }

    // names

    [Test]
    public void StatusNames_WhenRoundTripped_AreTheStoredNames()
    {
        foreach (var status in Enum.GetValues<ReplyJobStatus>())
            Assert.That(ReplyJobNames.ParseStatus(status.ToName()), Is.EqualTo(status));
        foreach (var kind in Enum.GetValues<ReplyJobKind>())
            Assert.That(ReplyJobNames.ParseKind(kind.ToName()), Is.EqualTo(kind));
        Assert.That(ReplyJobStatus.NeedsAttention.ToName(), Is.EqualTo("needs_attention"));
        Assert.Throws<ArgumentOutOfRangeException>(() => ReplyJobNames.ParseStatus("lost"));
    }

    // claim

    // The claim itself (processing, one attempt more, a lease) is SQL's: ReplyJobStatementEquivalenceTests.

    [Test]
    public void IsClaimable_WhenPendingAndDue_IsTrue() =>
        Assert.That(ReplyJobStates.Queue(1, 7, T0, T0).IsClaimable(T0), Is.True);

    [Test]
    public void IsClaimable_WhenProcessingWithItsLeaseOver_IsTrue() =>
        Assert.That(Job(ReplyJobStatus.Processing, attempts: 1, lockedUntil: T0.AddSeconds(-1)).IsClaimable(T0), Is.True);

    [Test]
    public void IsClaimable_WhenNotDueYet_IsFalse() =>
        Assert.That(ReplyJobStates.Queue(1, 7, T0.AddSeconds(5), T0).IsClaimable(T0), Is.False);

    [TestCase(ReplyJobStatus.Sending)]
    [TestCase(ReplyJobStatus.Sent)]
    [TestCase(ReplyJobStatus.Dead)]
    [TestCase(ReplyJobStatus.NeedsAttention)]
    public void IsClaimable_WhenNotWaiting_IsFalse(ReplyJobStatus status) =>
        Assert.That(Job(status, lockedUntil: T0.AddSeconds(-1)).IsClaimable(T0), Is.False);

    // generate

    [Test]
    public void Generate_WhenProcessingItsAttempt_KeepsTheText()
    {
        var job = Claimed();
        Assert.That(job.Generate(1, "  Olá!  ", T0), Is.EqualTo(ReplyJobOutcome.Generated));
        Assert.That(job.ReplyText, Is.EqualTo("Olá!"));
    }

    [Test]
    public void Generate_WhenAnotherAttemptHoldsTheJob_IsLost()
    {
        var job = Claimed();
        Assert.That(job.Generate(2, "Olá!", T0), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.ReplyText, Is.Null);
    }

    [Test]
    public void Generate_WhenBlank_Throws() => Assert.Throws<ArgumentException>(() => Claimed().Generate(1, " ", T0));

    // begin send: the collision check

    [Test]
    public void BeginSend_WhenChatStillActive_RegistersTheSend()
    {
        var job = Claimed();
        job.Generate(1, "Olá!", T0);
        Assert.That(job.BeginSend(ActiveSession(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
        Assert.That((job.Status, job.LockedUntil), Is.EqualTo((ReplyJobStatus.Sending, T0 + SendLease)));
    }

    [Test]
    public void BeginSend_WhenAPersonPausedTheChat_Discards()
    {
        var job = Claimed();
        job.Generate(1, "Olá!", T0);
        Assert.That(job.BeginSend(PausedSession(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Discarded));
    }

    [Test]
    public void BeginSend_WhenCancelledMeanwhile_StaysCancelled()
    {
        var job = Job(ReplyJobStatus.Cancelled);
        Assert.That(job.BeginSend(ActiveSession(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Cancelled));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Cancelled));
    }

    [Test]
    public void BeginSend_WhenAnotherAttemptHoldsTheJob_IsLost()
    {
        var job = Job(ReplyJobStatus.Processing, attempts: 2);
        Assert.That(job.BeginSend(ActiveSession(), 1, T0, SendLease), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
    }

    [Test]
    public void BeginSend_WhenNothingWasGenerated_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Processing, text: null).BeginSend(ActiveSession(), 1, T0, SendLease));

    [Test]
    public void BeginSend_WhenTheJobIsAnotherChats_Throws()
    {
        var other = ChatSession.Restore(8, 1, 1, "5511999990002@s.whatsapp.net", false, null, null, null, null, null, T0, T0);
        Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Processing).BeginSend(other, 1, T0, SendLease));
    }

    // workflow dispatch

    [Test]
    public void BeginDispatch_WhenChatStillActive_RegistersNothing()
    {
        var job = Job(ReplyJobStatus.Processing);
        Assert.That(job.BeginDispatch(ActiveSession(), 1, T0), Is.EqualTo(ReplyJobOutcome.DispatchBegun));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
    }

    [Test]
    public void BeginDispatch_WhenChatPaused_Discards() =>
        Assert.That(Job(ReplyJobStatus.Processing).BeginDispatch(PausedSession(), 1, T0), Is.EqualTo(ReplyJobOutcome.Discarded));

    [TestCase(ReplyJobStatus.Processing)]
    [TestCase(ReplyJobStatus.Cancelled)]
    public void CompleteDispatch_WhenItsAttempt_IsSent(ReplyJobStatus status)
    {
        var job = Job(status);
        Assert.That(job.CompleteDispatch(1, T0), Is.EqualTo(ReplyJobOutcome.Sent));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sent));
    }

    [Test]
    public void CompleteDispatch_WhenTakenOverByAnotherAttempt_IsLost() =>
        Assert.That(Job(ReplyJobStatus.Processing, attempts: 3).CompleteDispatch(2, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    // complete send

    [Test]
    public void CompleteSend_WhenSending_IsSentWithTheProviderId()
    {
        var job = Sending();
        Assert.That(job.CompleteSend("3EB0AA", 42, T0), Is.EqualTo(ReplyJobOutcome.Sent));
        Assert.That((job.Status, job.SentProviderMessageId, job.SentMessageId, job.LockedUntil),
            Is.EqualTo((ReplyJobStatus.Sent, "3EB0AA", 42L, (DateTimeOffset?)null)));
    }

    [Test]
    public void CompleteSend_WhenAlreadySentWithThatId_ChangesNothing()
    {
        var job = Sending();
        job.CompleteSend("3EB0AA", 42, T0);
        Assert.That(job.CompleteSend("3EB0AA", 42, T0), Is.EqualTo(ReplyJobOutcome.Lost));
    }

    [TestCase(ReplyJobStatus.Pending)]
    [TestCase(ReplyJobStatus.Processing)]
    [TestCase(ReplyJobStatus.Dead)]
    [TestCase(ReplyJobStatus.Discarded)]
    public void CompleteSend_WhenNotBeingSent_Throws(ReplyJobStatus status) =>
        Assert.Throws<ReplyJobStateException>(() => Job(status).CompleteSend("3EB0AA", 42, T0));

    // API sends

    [Test]
    public void RegisterApiSend_AsBotInAnActiveChat_IsSendingAtOnce()
    {
        var job = ReplyJob.RegisterApiSend(ActiveSession(), ReplyJobKind.ApiBot, " Oi ", T0, SendLease);
        Assert.That((job.Status, job.Kind, job.Attempts, job.ReplyText, job.SessionId), Is.EqualTo((ReplyJobStatus.Sending, ReplyJobKind.ApiBot, 1, "Oi", 7L)));
    }

    [Test]
    public void RegisterApiSend_AsAgentInAPausedChat_IsAllowed() =>
        Assert.That(ReplyJob.RegisterApiSend(PausedSession(), ReplyJobKind.ApiAgent, "Oi", T0, SendLease).Status, Is.EqualTo(ReplyJobStatus.Sending));

    [Test]
    public void RegisterApiSend_AsBotInAPausedChat_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => ReplyJob.RegisterApiSend(PausedSession(), ReplyJobKind.ApiBot, "Oi", T0, SendLease));

    [Test]
    public void RegisterApiSend_OfKindReply_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => ReplyJob.RegisterApiSend(ActiveSession(), ReplyJobKind.Reply, "Oi", T0, SendLease));

    [Test]
    public void AssignId_WhenStoredUnderAnotherId_Throws()
    {
        var job = ReplyJob.RegisterApiSend(ActiveSession(), ReplyJobKind.ApiBot, "Oi", T0, SendLease);
        job.AssignId(5);
        Assert.That(job.Id, Is.EqualTo(5));
        Assert.Throws<ReplyJobStateException>(() => job.AssignId(6));
    }

    // outcome unknown and its proof

    [Test]
    public void MarkOutcomeUnknown_WhenSending_WaitsForTheEcho()
    {
        var job = Sending();
        Assert.That(job.MarkOutcomeUnknown("timeout", T0, EchoWait), Is.EqualTo(ReplyJobOutcome.OutcomeUnknown));
        Assert.That((job.Status, job.LockedUntil, job.LastError), Is.EqualTo((ReplyJobStatus.Unconfirmed, T0 + EchoWait, "timeout")));
        Assert.That(job.IsDueForResolution(T0), Is.False);
        Assert.That(job.IsDueForResolution(T0 + EchoWait), Is.True);
    }

    [Test]
    public void MarkOutcomeUnknown_WhenNotSending_IsLost() =>
        Assert.That(Job(ReplyJobStatus.Sent).MarkOutcomeUnknown("timeout", T0, EchoWait), Is.EqualTo(ReplyJobOutcome.Lost));

    [Test]
    public void ClaimForResolution_WhenTheSendersLeaseRanOut_TakesIt()
    {
        var job = Job(ReplyJobStatus.Sending, lockedUntil: T0.AddSeconds(-1));
        Assert.That(job.IsDueForResolution(T0), Is.True);
        job = ReplyJobStates.ClaimForResolution(job, T0, Lease);
        Assert.That(job.IsResolutionHeldUntil(T0 + Lease), Is.True);
        Assert.That(job.IsResolutionHeldUntil(T0 + Lease + TimeSpan.FromSeconds(1)), Is.False);
    }

    [Test]
    public void ClaimForResolution_WhenAnEchoCameWithinTheWindow_TakesItAtOnce()
    {
        var job = Job(ReplyJobStatus.Unconfirmed, lockedUntil: T0.AddSeconds(5), echoId: "3EB0AA");
        Assert.That(job.IsDueForResolution(T0), Is.True);
    }

    [Test]
    public void ClaimForResolution_WhenNeedingAttentionAndALateEchoCame_TakesIt() =>
        Assert.That(Job(ReplyJobStatus.NeedsAttention, echoId: "3EB0AA").IsDueForResolution(T0), Is.True);

    [Test]
    public void ClaimForResolution_WhenTheSenderStillHoldsIt_IsNotDue() =>
        Assert.That(Job(ReplyJobStatus.Sending, lockedUntil: T0.AddSeconds(10), echoId: "3EB0AA").IsDueForResolution(T0), Is.False);

    [TestCase(ReplyJobStatus.NeedsAttention)]
    [TestCase(ReplyJobStatus.Sent)]
    [TestCase(ReplyJobStatus.Processing)]
    public void ClaimForResolution_WhenNothingToProve_IsNotDue(ReplyJobStatus status) =>
        Assert.That(Job(status, lockedUntil: T0.AddSeconds(-1)).IsDueForResolution(T0), Is.False);

    [TestCase(ReplyJobStatus.Unconfirmed)]
    [TestCase(ReplyJobStatus.NeedsAttention)]
    public void Confirm_WhenAwaitingProof_IsSent(ReplyJobStatus status)
    {
        var job = Job(status);
        Assert.That(job.Confirm("3EB0AA", 42, T0), Is.EqualTo(ReplyJobOutcome.Confirmed));
        Assert.That((job.Status, job.SentProviderMessageId, job.SentMessageId), Is.EqualTo((ReplyJobStatus.Sent, "3EB0AA", 42L)));
    }

    [TestCase(ReplyJobStatus.Sending)]
    [TestCase(ReplyJobStatus.Sent)]
    public void Confirm_WhenNotAwaitingProof_Throws(ReplyJobStatus status) =>
        Assert.Throws<ReplyJobStateException>(() => Job(status).Confirm("3EB0AA", 42, T0));

    [TestCase(ReplyJobKind.Reply)]
    [TestCase(ReplyJobKind.ApiBot)]
    public void ProvedAbsent_TheFirstTime_LooksAgainLater(ReplyJobKind kind)
    {
        var job = Job(ReplyJobStatus.Unconfirmed, kind: kind, lockedUntil: T0.AddSeconds(-1));
        job = ReplyJobStates.ClaimForResolution(job, T0, Lease);
        Assert.That(job.ProvedAbsent(ActiveSession(), T0, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.AbsenceSeen));
        Assert.That((job.Status, job.AbsenceSeenAt, job.LockedUntil, job.ResentAt),
            Is.EqualTo((ReplyJobStatus.Unconfirmed, (DateTimeOffset?)T0, (DateTimeOffset?)(T0 + EchoWait), (DateTimeOffset?)null)));
        Assert.That(job.IsDueForResolution(T0 + EchoWait), Is.True);
    }

    [Test]
    public void ProvedAbsent_ForAReply_SendsItOnceMore()
    {
        var job = Unconfirmed();
        Assert.That(job.ProvedAbsent(ActiveSession(), T0, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Resent));
        Assert.That((job.Status, job.ResentAt, job.LockedUntil), Is.EqualTo((ReplyJobStatus.Sending, (DateTimeOffset?)T0, (DateTimeOffset?)(T0 + SendLease))));
    }

    [Test]
    public void ProvedAbsent_WhenAPersonTookTheChatMeanwhile_DiscardsInsteadOfResending()
    {
        var job = Unconfirmed();
        Assert.That(job.ProvedAbsent(PausedSession(), T0, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Discarded));
        Assert.That((job.Status, job.ResentAt), Is.EqualTo((ReplyJobStatus.Discarded, (DateTimeOffset?)null)));
    }

    [Test]
    public void ProvedAbsent_ForAReplyAlreadyResent_IsDeadNotSentAThirdTime()
    {
        var job = Job(ReplyJobStatus.Unconfirmed, resentAt: T0.AddMinutes(-1), absenceSeenAt: T0.AddSeconds(-5));
        Assert.That(job.ProvedAbsent(ActiveSession(), T0, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Dead));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Dead));
    }

    [TestCase(ReplyJobKind.ApiBot)]
    [TestCase(ReplyJobKind.ApiAgent)]
    public void ProvedAbsent_ForAnApiSend_IsDeadNotResent(ReplyJobKind kind)
    {
        var job = Unconfirmed(kind);
        Assert.That(job.ProvedAbsent(ActiveSession(), T0, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Dead));
        Assert.That(job.ResentAt, Is.Null);
    }

    [Test]
    public void ProvedAbsent_WhenNotAwaitingProof_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Sending).ProvedAbsent(ActiveSession(), T0, SendLease, EchoWait));

    [Test]
    public void ReadBackFailed_WhenEvolutionCouldNotBeAsked_LooksAgainAfterTheEchoWindow()
    {
        var job = Unconfirmed();
        Assert.That(job.ReadBackFailed(T0, EchoWait, maxFailures: 3), Is.EqualTo(ReplyJobOutcome.ReadBackRetry));
        Assert.That((job.Status, job.LockedUntil, job.ReadBackFailures), Is.EqualTo((ReplyJobStatus.Unconfirmed, (DateTimeOffset?)(T0 + EchoWait), 1)));
    }

    [Test]
    public void ReadBackFailed_WhenItKeepsFailing_ListsItForAPerson()
    {
        var job = Unconfirmed();
        job.ReadBackFailed(T0, EchoWait, maxFailures: 2);
        Assert.That(job.ReadBackFailed(T0 + EchoWait, EchoWait, maxFailures: 2), Is.EqualTo(ReplyJobOutcome.NeedsAttention));
        Assert.That((job.Status, job.LockedUntil), Is.EqualTo((ReplyJobStatus.NeedsAttention, (DateTimeOffset?)null)));
    }

    [Test]
    public void ReadBackFailed_WhenNotAwaitingProof_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Sending).ReadBackFailed(T0, EchoWait, 3));

    [Test]
    public void RequireAttention_WhenNothingCanTell_ListsIt()
    {
        var job = Unconfirmed();
        Assert.That(job.RequireAttention(T0), Is.EqualTo(ReplyJobOutcome.NeedsAttention));
        Assert.That((job.Status, job.LockedUntil), Is.EqualTo((ReplyJobStatus.NeedsAttention, (DateTimeOffset?)null)));
        Assert.That(job.RequireAttention(T0), Is.EqualTo(ReplyJobOutcome.NeedsAttention), "repeating it changes nothing");
    }

    [Test]
    public void RequireAttention_WhenSent_Throws() => Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Sent).RequireAttention(T0));

    [Test]
    public void Acknowledge_WhenNeedingAttention_ClosesItWithoutResending()
    {
        var job = Job(ReplyJobStatus.NeedsAttention);
        Assert.That(job.Acknowledge("a person resumed the chat", T0), Is.EqualTo(ReplyJobOutcome.Acknowledged));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Dead));
        Assert.That(job.LastError, Does.Contain("a person resumed the chat"));
    }

    [Test]
    public void Acknowledge_WhenNotNeedingAttention_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => Job(ReplyJobStatus.Unconfirmed).Acknowledge("x", T0));

    // failures

    [Test]
    public void Fail_WhenAttemptsRemain_RetriesAfterTheBackoff()
    {
        var job = Claimed();
        Assert.That(job.Fail(1, "llm: 500", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Retry));
        Assert.That((job.Status, job.DueAt, job.LastError), Is.EqualTo((ReplyJobStatus.Retrying, T0.AddSeconds(2), "llm: 500")));
    }

    [Test]
    public void Fail_WhenTheSendFailedTransiently_RetriesToo() =>
        Assert.That(Sending().Fail(1, "whatsapp: 502", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Retry));

    [Test]
    public void Fail_WhenTheLastAttempt_IsDead()
    {
        var job = Job(ReplyJobStatus.Processing, attempts: 3);
        Assert.That(job.Fail(3, "llm: 500", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Dead));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Dead));
    }

    [Test]
    public void Fail_WhenPermanent_IsDeadAtOnce() =>
        Assert.That(Claimed().Fail(1, "not on WhatsApp", permanent: true, Policy, T0), Is.EqualTo(ReplyJobOutcome.Dead));

    [Test]
    public void Fail_WhenAnApiSend_IsDeadAtOnce() =>
        Assert.That(Job(ReplyJobStatus.Sending, kind: ReplyJobKind.ApiBot).Fail(1, "502", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Dead));

    [Test]
    public void Fail_WhenAnotherAttemptHoldsTheJob_IsLost()
    {
        var job = Job(ReplyJobStatus.Processing, attempts: 2);
        Assert.That(job.Fail(1, "late", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
    }

    [Test]
    public void Fail_WhenAlreadyCancelled_IsLost() =>
        Assert.That(Job(ReplyJobStatus.Cancelled).Fail(1, "late", permanent: false, Policy, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    [Test]
    public void RetryPolicy_DoublesTheDelay_UpToTheCap()
    {
        Assert.That(Policy.DelayAfter(1), Is.EqualTo(TimeSpan.FromSeconds(2)));
        Assert.That(Policy.DelayAfter(3), Is.EqualTo(TimeSpan.FromSeconds(8)));
        Assert.That(Policy.DelayAfter(20), Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    // postpone

    [Test]
    public void Postpone_WhenRateLimited_IsDueLaterWithoutUsingTheAttempt()
    {
        var job = Claimed();
        var until = T0.AddSeconds(7);
        Assert.That(job.Postpone(1, until, T0), Is.EqualTo(ReplyJobOutcome.Postponed));
        Assert.That((job.Status, job.Attempts, job.DueAt, job.LockedUntil), Is.EqualTo((ReplyJobStatus.Retrying, 0, until, (DateTimeOffset?)null)));
        Assert.That(job.IsClaimable(until), Is.True);
    }

    [Test]
    public void Postpone_WhenAnotherAttemptHoldsTheJob_IsLost() =>
        Assert.That(Job(ReplyJobStatus.Processing, attempts: 2).Postpone(1, T0, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    [Test]
    public void Postpone_WhenAlreadySending_IsLost() =>
        Assert.That(Sending().Postpone(1, T0, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    // throttle (the channel asked us to slow down: Meta's 130429, 131056)

    [Test]
    public void Throttle_WhenSending_IsDueLaterWithoutUsingTheAttempt()
    {
        var job = Sending();
        var until = T0.AddSeconds(6);
        Assert.That(job.Throttle(1, until, T0), Is.EqualTo(ReplyJobOutcome.Postponed));
        Assert.That((job.Status, job.Attempts, job.DueAt, job.LockedUntil), Is.EqualTo((ReplyJobStatus.Retrying, 0, until, (DateTimeOffset?)null)));
        Assert.That(job.IsClaimable(until), Is.True);
    }

    [Test]
    public void Throttle_WhenNotSending_IsLost() =>
        Assert.That(Claimed().Throttle(1, T0, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    [Test]
    public void Throttle_AnApiSend_IsLeftToItsCaller() =>
        Assert.That(Job(ReplyJobStatus.Sending, kind: ReplyJobKind.ApiBot).Throttle(1, T0, T0), Is.EqualTo(ReplyJobOutcome.Lost));

    // await proof (Meta's statuses lag)

    [Test]
    public void AwaitProof_WhenUnconfirmed_AsksAgainLaterWithoutCountingAFailure()
    {
        var job = Unconfirmed();
        var failures = job.ReadBackFailures;
        Assert.That(job.AwaitProof(T0.AddSeconds(5), T0), Is.EqualTo(ReplyJobOutcome.ReadBackRetry));
        Assert.That((job.Status, job.LockedUntil, job.ReadBackFailures),
            Is.EqualTo((ReplyJobStatus.Unconfirmed, (DateTimeOffset?)T0.AddSeconds(5), failures)));
    }

    // cancel

    [TestCase(ReplyJobStatus.Pending)]
    [TestCase(ReplyJobStatus.Retrying)]
    [TestCase(ReplyJobStatus.Processing)]
    public void Cancel_WhenNotYetSending_IsCancelled(ReplyJobStatus status)
    {
        var job = Job(status);
        Assert.That(job.Cancel("human took over", T0), Is.EqualTo(ReplyJobOutcome.Cancelled));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Cancelled));
    }

    [Test]
    public void Cancel_WhenAlreadyCancelled_ChangesNothing() =>
        Assert.That(Job(ReplyJobStatus.Cancelled).Cancel("again", T0), Is.EqualTo(ReplyJobOutcome.Cancelled));

    [TestCase(ReplyJobStatus.Sending)]
    [TestCase(ReplyJobStatus.Unconfirmed)]
    [TestCase(ReplyJobStatus.Sent)]
    public void Cancel_WhenTheSendIsUnderWay_Throws(ReplyJobStatus status) =>
        Assert.Throws<ReplyJobStateException>(() => Job(status).Cancel("too late", T0));
}
