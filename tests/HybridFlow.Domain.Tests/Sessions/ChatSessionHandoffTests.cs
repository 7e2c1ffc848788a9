using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Sessions;

/// <summary>The handoff cells of the state machine: the customer (keyword) or the model asks for a person; and the away message.</summary>
public sealed class ChatSessionHandoffTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(2);

    private static ChatSession Active() => ChatSession.Start(1, 1, "5511999990001@s.whatsapp.net", T0);

    private static ChatSession HandoffPending(DateTimeOffset at)
    {
        var s = Active();
        s.ReceiveHandoffRequest(at, at, Quiet);
        return s;
    }

    // handoff keyword from the customer

    [Test]
    public void HandoffKeyword_WhenActive_PausesForAPersonUntilTheQuietPeriodPasses()
    {
        var s = Active();
        Assert.That(s.ReceiveHandoffRequest(T0, T0, Quiet), Is.EqualTo(SessionOutcome.HandoffRequested));
        Assert.That(s.IsPaused, Is.True);
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HandoffRequested));
        Assert.That(s.PausedUntil, Is.EqualTo(T0 + Quiet));
        Assert.That(s.LastMessageAt, Is.EqualTo(T0));
    }

    [Test]
    public void HandoffKeyword_WhenHandoffPending_IsNotRequestedTwice()
    {
        var s = HandoffPending(T0);
        var later = T0.AddMinutes(5);
        Assert.That(s.ReceiveHandoffRequest(later, later, Quiet), Is.EqualTo(SessionOutcome.HandoffPending));
        Assert.That(s.PausedUntil, Is.EqualTo(T0 + Quiet), "a repeat does not push the resume back");
    }

    [Test]
    public void HandoffKeyword_WhenHandoffRanOut_RequestsAgain()
    {
        var s = HandoffPending(T0);
        var later = T0 + Quiet + TimeSpan.FromMinutes(1);
        Assert.That(s.ReceiveHandoffRequest(later, later, Quiet), Is.EqualTo(SessionOutcome.HandoffRequested));
        Assert.That(s.PausedUntil, Is.EqualTo(later + Quiet));
    }

    [Test]
    public void HandoffKeyword_WhenTakenOver_StaysSilent()
    {
        var s = Active();
        s.ReceiveOwnerMessage(T0, T0, Quiet);
        var later = T0.AddMinutes(10);
        Assert.That(s.ReceiveHandoffRequest(later, later, Quiet), Is.EqualTo(SessionOutcome.IgnoredPaused));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HumanTakeover));
    }

    [Test]
    public void HandoffKeyword_WhenTakeoverQuietPeriodIsOver_PausesForAPerson()
    {
        var s = Active();
        s.ReceiveOwnerMessage(T0, T0, Quiet);
        var later = T0 + Quiet + TimeSpan.FromMinutes(1);
        Assert.That(s.ReceiveHandoffRequest(later, later, Quiet), Is.EqualTo(SessionOutcome.HandoffRequested));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HandoffRequested));
    }

    [Test]
    public void HandoffKeyword_WhenManuallyPaused_StaysSilent()
    {
        var s = Active();
        s.PauseManually(T0, null);
        var later = T0.AddDays(3);
        Assert.That(s.ReceiveHandoffRequest(later, later, Quiet), Is.EqualTo(SessionOutcome.IgnoredPaused));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
    }

    // the model's request_human

    [Test]
    public void ModelHandoff_WhenActive_PausesForAPerson()
    {
        var s = Active();
        Assert.That(s.RequestHandoff(T0, Quiet), Is.EqualTo(SessionOutcome.HandoffRequested));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HandoffRequested));
        Assert.That(s.PausedUntil, Is.EqualTo(T0 + Quiet));
    }

    [Test]
    public void ModelHandoff_WhenAPersonTookTheChatMeanwhile_ChangesNothing()
    {
        var s = Active();
        s.ReceiveOwnerMessage(T0, T0, Quiet);
        Assert.That(s.RequestHandoff(T0.AddSeconds(5), Quiet), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HumanTakeover));
    }

    [Test]
    public void ModelHandoff_WhenHandoffPending_IsNotRequestedTwice()
    {
        var s = HandoffPending(T0);
        Assert.That(s.RequestHandoff(T0.AddSeconds(5), Quiet), Is.EqualTo(SessionOutcome.HandoffPending));
    }

    // other events while a handoff is pending

    [Test]
    public void CustomerMessage_WhenHandoffPending_IsIgnored()
    {
        var s = HandoffPending(T0);
        var later = T0.AddMinutes(30);
        Assert.That(s.ReceiveCustomerMessage(later, later, Quiet), Is.EqualTo(SessionOutcome.IgnoredPaused));
        Assert.That(s.IsPaused, Is.True);
    }

    [Test]
    public void CustomerMessage_WhenHandoffRanOut_AutoResumesAndReplies()
    {
        var s = HandoffPending(T0);
        var later = T0 + Quiet;
        Assert.That(s.ReceiveCustomerMessage(later, later, Quiet), Is.EqualTo(SessionOutcome.AutoResumedAndReply));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.ResumedAt, Is.EqualTo(later));
    }

    [Test]
    public void OwnerMessage_WhenHandoffPending_BecomesAnOrdinaryTakeover()
    {
        var s = HandoffPending(T0);
        var at = T0.AddMinutes(10);
        Assert.That(s.ReceiveOwnerMessage(at, at, Quiet), Is.EqualTo(SessionOutcome.HandoffTakenOver));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HumanTakeover));
        Assert.That(s.LastHumanAt, Is.EqualTo(at));
        Assert.That(s.PausedUntil, Is.EqualTo(at + Quiet));
        Assert.That(SessionOutcome.HandoffTakenOver.SilencesBot(), Is.True);
    }

    [Test]
    public void StaleOwnerMessage_WhenHandoffPending_KeepsTheHandoff()
    {
        var s = HandoffPending(T0);
        Assert.That(s.ReceiveOwnerMessage(T0 - Quiet - TimeSpan.FromMinutes(1), T0.AddMinutes(1), Quiet), Is.EqualTo(SessionOutcome.StaleOwnerMessage));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HandoffRequested));
    }

    [Test]
    public void Echo_WhenHandoffPending_ChangesNothing()
    {
        var s = HandoffPending(T0);
        Assert.That(s.ReceiveEcho(T0.AddSeconds(3), T0.AddSeconds(3)), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HandoffRequested));
    }

    [Test]
    public void ManualPause_WhenHandoffPending_BecomesManual()
    {
        var s = HandoffPending(T0);
        Assert.That(s.PauseManually(T0.AddMinutes(1), null), Is.EqualTo(SessionOutcome.PausedManually));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
        Assert.That(s.PausedUntil, Is.Null);
    }

    [Test]
    public void ManualResume_WhenHandoffPending_Resumes()
    {
        var s = HandoffPending(T0);
        Assert.That(s.Resume(T0.AddMinutes(1)), Is.EqualTo(SessionOutcome.Resumed));
        Assert.That(s.IsPaused, Is.False);
    }

    [Test]
    public void Sweep_WhenHandoffWithinQuietPeriod_ChangesNothing()
    {
        var s = HandoffPending(T0);
        Assert.That(s.AutoResumeIfDue(T0 + Quiet - TimeSpan.FromSeconds(1), Quiet), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.IsPaused, Is.True);
    }

    [Test]
    public void Sweep_WhenHandoffRanOut_AutoResumes()
    {
        var s = HandoffPending(T0);
        Assert.That(s.AutoResumeIfDue(T0 + Quiet, Quiet), Is.EqualTo(SessionOutcome.AutoResumed));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.PauseReason, Is.Null);
    }

    // away message

    [Test]
    public void OutsideHours_WhenNoAwayMessageInThisClosedPeriod_IsDue()
    {
        var s = Active();
        Assert.That(s.ReceiveOutsideHours(T0.AddHours(-1), T0), Is.EqualTo(SessionOutcome.AwayMessageDue));
        Assert.That(s.AwayMessageSentAt, Is.EqualTo(T0));
    }

    [Test]
    public void OutsideHours_WhenAwayMessageAlreadyWentInThisClosedPeriod_IsIgnored()
    {
        var s = Active();
        s.ReceiveOutsideHours(T0.AddHours(-1), T0);
        Assert.That(s.ReceiveOutsideHours(T0.AddHours(-1), T0.AddMinutes(20)), Is.EqualTo(SessionOutcome.IgnoredOutsideHours));
        Assert.That(s.AwayMessageSentAt, Is.EqualTo(T0));
    }

    [Test]
    public void OutsideHours_WhenTheLastAwayMessageWasInAnEarlierClosedPeriod_IsDueAgain()
    {
        var s = Active();
        s.ReceiveOutsideHours(T0.AddHours(-1), T0);
        var nextNight = T0.AddDays(1);
        Assert.That(s.ReceiveOutsideHours(nextNight.AddHours(-1), nextNight), Is.EqualTo(SessionOutcome.AwayMessageDue));
        Assert.That(s.AwayMessageSentAt, Is.EqualTo(nextNight));
    }

    [Test]
    public void PauseReasonNames_HandoffRequested_RoundTrips()
    {
        Assert.That(PauseReason.HandoffRequested.ToName(), Is.EqualTo("handoff_requested"));
        Assert.That(PauseReasonNames.Parse("handoff_requested"), Is.EqualTo(PauseReason.HandoffRequested));
    }
}
