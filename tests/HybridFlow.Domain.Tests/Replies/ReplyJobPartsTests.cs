using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Replies;

/// <summary>The transitions of a reply that goes out in parts, and the ones they refuse.</summary>
public sealed class ReplyJobPartsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddSeconds(3);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SendLease = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan EchoWait = TimeSpan.FromSeconds(5);
    private static readonly ReplyRetryPolicy Policy = new(3, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));
    private static readonly string[] ThreeParts = ["Olá!", "Temos bolo.", "Quer um?"];

    private static ChatSession ActiveSession() =>
        ChatSession.Restore(7, 1, 1, "5511999990001@s.whatsapp.net", false, null, null, null, null, null, T0, T0);

    private static ChatSession PausedSession()
    {
        var s = ActiveSession();
        s.ReceiveOwnerMessage(T0, T0, TimeSpan.FromHours(2));
        return s;
    }

    /// <summary>Claimed at attempt 1, written as three parts, the first one's send begun.</summary>
    private static ReplyJob SendingFirstPart()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        job.Generate(1, "Olá!\n\nTemos bolo.\n\nQuer um?", ThreeParts, T0);
        job.BeginSend(ActiveSession(), 1, T0, SendLease);
        return job;
    }

    /// <summary>The first part went out; the worker holds the job for the second.</summary>
    private static ReplyJob BetweenParts()
    {
        var job = SendingFirstPart();
        job.CompleteSend(0, "3EB0P1", 41, T1, SendLease);
        return job;
    }

    private static ReplyJob SendingSecondPart()
    {
        var job = BetweenParts();
        job.BeginSend(ActiveSession(), 1, T1, SendLease);
        return job;
    }

    [Test]
    public void Generate_WhenParts_KeepsThemTrimmedAndTheWholeText()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        Assert.That(job.Generate(1, " a\n\nb ", [" a ", "b\n"], T0), Is.EqualTo(ReplyJobOutcome.Generated));
        Assert.That(job.Parts, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(job.ReplyText, Is.EqualTo("a\n\nb"));
        Assert.That(job.CurrentPart, Is.EqualTo("a"));
        Assert.That(job.HasSentParts, Is.False);
    }

    [Test]
    public void Generate_WhenNoParts_IsTheWholeTextAsOne()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        job.Generate(1, "Olá!", T0);
        Assert.That(job.Parts, Is.EqualTo(new[] { "Olá!" }));
        Assert.That(job.CurrentPart, Is.EqualTo("Olá!"));
    }

    [Test]
    public void Generate_WhenPartsEmptyOrBlank_Throws()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        job = ReplyJobStates.Claim(job, T0, Lease);
        Assert.Throws<ArgumentException>(() => job.Generate(1, "a", [], T0));
        Assert.Throws<ArgumentException>(() => job.Generate(1, "a", ["a", " "], T0));
    }

    [Test]
    public void Generate_WhenAPartWentOut_Throws()
    {
        var job = BetweenParts();
        Assert.Throws<ReplyJobStateException>(() => job.Generate(1, "outra", T1));
    }

    [Test]
    public void CompleteSend_WhenPartsFollow_MovesToTheNextPartHeldByTheWorker()
    {
        var job = SendingFirstPart();
        Assert.That(job.CompleteSend(0, "3EB0P1", 41, T1, SendLease), Is.EqualTo(ReplyJobOutcome.PartSent));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
        Assert.That(job.PartIndex, Is.EqualTo(1));
        Assert.That(job.CurrentPart, Is.EqualTo("Temos bolo."));
        Assert.That(job.SentMessageId, Is.EqualTo(41));
        Assert.That(job.SentProviderMessageId, Is.Null, "the next part's echo is matched by its text again");
        Assert.That(job.LockedUntil, Is.EqualTo(T1 + SendLease));
        Assert.That(job.IsClaimable(T1), Is.False);
        Assert.That(job.HasSentParts, Is.True);
    }

    [Test]
    public void CompleteSend_WhenLastPart_IsSent()
    {
        var job = SendingSecondPart();
        job.CompleteSend(1, "3EB0P2", 42, T1, SendLease);
        job.BeginSend(ActiveSession(), 1, T1, SendLease);
        Assert.That(job.CompleteSend(2, "3EB0P3", 43, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Sent));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sent));
        Assert.That(job.SentProviderMessageId, Is.EqualTo("3EB0P3"));
        Assert.That(job.LockedUntil, Is.Null);
    }

    [Test]
    public void CompleteSend_WhenThatPartWasCompletedAlready_IsLostAndChangesNothing()
    {
        var job = SendingSecondPart();
        Assert.That(job.CompleteSend(0, "3EB0P1", 41, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sending));
        Assert.That(job.PartIndex, Is.EqualTo(1));
    }

    [Test]
    public void CompleteSend_WhenALaterPartThanTheOneInFlight_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => SendingFirstPart().CompleteSend(1, "3EB0P2", 42, T1, SendLease));

    [Test]
    public void CompleteSend_WhenBetweenParts_Throws() =>
        Assert.Throws<ReplyJobStateException>(() => BetweenParts().CompleteSend(1, "3EB0P2", 42, T1, SendLease));

    [Test]
    public void BeginSend_WhenBetweenPartsAndChatActive_BeginsTheNextPart()
    {
        var job = BetweenParts();
        Assert.That(job.BeginSend(ActiveSession(), 1, T1, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sending));
        Assert.That(job.CurrentPart, Is.EqualTo("Temos bolo."));
    }

    [Test]
    public void BeginSend_WhenAPersonTookTheChatBetweenParts_DiscardsTheRest()
    {
        var job = BetweenParts();
        Assert.That(job.BeginSend(PausedSession(), 1, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Discarded));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Discarded));
        Assert.That(job.PartIndex, Is.EqualTo(1), "one part went out");
    }

    [Test]
    public void BeginSend_WhenCancelledBetweenParts_IsCancelled()
    {
        var job = BetweenParts();
        Assert.That(job.Cancel("a person answered", T1), Is.EqualTo(ReplyJobOutcome.Cancelled));
        Assert.That(job.BeginSend(ActiveSession(), 1, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Cancelled));
    }

    [Test]
    public void BeginSend_WhenBetweenPartsAtAnotherAttempt_IsLost() =>
        Assert.That(BetweenParts().BeginSend(ActiveSession(), 2, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Lost));

    [Test]
    public void Claim_WhenWorkerVanishedBetweenParts_ResumesAtTheNextPart()
    {
        var job = BetweenParts();
        var later = T1 + SendLease;
        Assert.That(job.IsClaimable(later), Is.True);
        job = ReplyJobStates.Claim(job, later, Lease);
        Assert.That(job.BeginSend(ActiveSession(), 2, later, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
        Assert.That(job.CurrentPart, Is.EqualTo("Temos bolo."));
    }

    [Test]
    public void Confirm_WhenPartsFollow_LeavesThemToTheNextClaim()
    {
        var job = SendingSecondPart();
        job.MarkOutcomeUnknown("timeout", T1, EchoWait);
        var resolved = T1 + EchoWait;
        job = ReplyJobStates.ClaimForResolution(job, resolved, Lease);
        Assert.That(job.Confirm("3EB0P2", 42, resolved), Is.EqualTo(ReplyJobOutcome.PartSent));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
        Assert.That(job.CurrentPart, Is.EqualTo("Quer um?"));
        Assert.That(job.IsClaimable(resolved), Is.True, "free for a worker at once");
        Assert.That(job.LastError, Is.EqualTo("timeout"));
    }

    [Test]
    public void Confirm_WhenLastPart_IsConfirmed()
    {
        var job = SendingSecondPart();
        job.CompleteSend(1, "3EB0P2", 42, T1, SendLease);
        job.BeginSend(ActiveSession(), 1, T1, SendLease);
        job.MarkOutcomeUnknown("timeout", T1, EchoWait);
        job = ReplyJobStates.ClaimForResolution(job, T1 + EchoWait, Lease);
        Assert.That(job.Confirm("3EB0P3", 43, T1 + EchoWait), Is.EqualTo(ReplyJobOutcome.Confirmed));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sent));
    }

    [Test]
    public void ProvedAbsent_WhenSecondPartAbsentTwice_ResendsThatPartOnly()
    {
        var job = SendingSecondPart();
        job.MarkOutcomeUnknown("timeout", T1, EchoWait);
        job = ReplyJobStates.ClaimForResolution(job, T1 + EchoWait, Lease);
        Assert.That(job.ProvedAbsent(ActiveSession(), T1 + EchoWait, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.AbsenceSeen));
        job = ReplyJobStates.ClaimForResolution(job, T1 + 2 * EchoWait, Lease);
        Assert.That(job.ProvedAbsent(ActiveSession(), T1 + 2 * EchoWait, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Resent));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Sending));
        Assert.That(job.CurrentPart, Is.EqualTo("Temos bolo."));
        Assert.That(job.CompleteSend(1, "3EB0P2", 42, T1 + 2 * EchoWait, TimeSpan.Zero), Is.EqualTo(ReplyJobOutcome.PartSent));
        Assert.That(job.ResentAt, Is.Null, "the next part may be resent once too");
    }

    [Test]
    public void ProvedAbsent_WhenAPersonTookTheChat_DiscardsThePartAndTheRest()
    {
        var job = SendingSecondPart();
        job.MarkOutcomeUnknown("timeout", T1, EchoWait);
        job = ReplyJobStates.ClaimForResolution(job, T1 + EchoWait, Lease);
        job.ProvedAbsent(ActiveSession(), T1 + EchoWait, SendLease, EchoWait);
        job = ReplyJobStates.ClaimForResolution(job, T1 + 2 * EchoWait, Lease);
        Assert.That(job.ProvedAbsent(PausedSession(), T1 + 2 * EchoWait, SendLease, EchoWait), Is.EqualTo(ReplyJobOutcome.Discarded));
    }

    [Test]
    public void Fail_WhenSecondPartFailsTransiently_RetriesAtThatPart()
    {
        var job = SendingSecondPart();
        Assert.That(job.Fail(1, "whatsapp: 500", false, Policy, T1), Is.EqualTo(ReplyJobOutcome.Retry));
        Assert.That(job.PartIndex, Is.EqualTo(1));
        Assert.That(job.HasSentParts, Is.True);
        job = ReplyJobStates.Claim(job, job.DueAt, Lease);
        Assert.That(job.BeginSend(ActiveSession(), 2, job.DueAt, SendLease), Is.EqualTo(ReplyJobOutcome.SendBegun));
        Assert.That(job.CurrentPart, Is.EqualTo("Temos bolo."));
    }

    [Test]
    public void Restore_WhenParts_KeepsThePartInFlight()
    {
        var job = ReplyJob.Restore(11, 1, 7, ReplyJobKind.Reply, ReplyJobStatus.Sending, 1, T0, T0 + SendLease, "a\n\nb", null, 41, null,
            null, null, T0, T0, 0, ["a", "b"], 1);
        Assert.That(job.Parts, Is.EqualTo(new[] { "a", "b" }));
        Assert.That(job.CurrentPart, Is.EqualTo("b"));
        Assert.That(job.CompleteSend(1, "3EB0P2", 42, T1, SendLease), Is.EqualTo(ReplyJobOutcome.Sent));
    }

    [Test]
    public void RegisterApiSend_IsOnePart()
    {
        var send = ReplyJob.RegisterApiSend(ActiveSession(), ReplyJobKind.ApiBot, " Olá ", T0, SendLease);
        Assert.That(send.Parts, Is.EqualTo(new[] { "Olá" }));
        Assert.That(send.CompleteSend("3EB0AA", 42, T0), Is.EqualTo(ReplyJobOutcome.Sent));
    }
}
