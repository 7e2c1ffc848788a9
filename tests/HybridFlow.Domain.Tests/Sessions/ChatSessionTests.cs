using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Sessions;

/// <summary>Every cell of the state table in docs/ARCHITECTURE.md section 3.</summary>
public sealed class ChatSessionTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(2);

    private static ChatSession Active() => ChatSession.Start(1, 1, "5511999990001@s.whatsapp.net", T0);

    private static ChatSession TakenOver(DateTimeOffset at)
    {
        var s = Active();
        s.ReceiveOwnerMessage(at, at, Quiet);
        return s;
    }

    private static ChatSession ManuallyPaused(TimeSpan? duration)
    {
        var s = Active();
        s.PauseManually(T0, duration);
        return s;
    }

    // customer message

    [Test]
    public void CustomerMessage_WhenActive_Replies()
    {
        var s = Active();
        Assert.That(s.ReceiveCustomerMessage(T0, T0, Quiet), Is.EqualTo(SessionOutcome.Reply));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.LastMessageAt, Is.EqualTo(T0));
    }

    [Test]
    public void CustomerMessage_WhenTakenOverWithinQuietPeriod_IsIgnored()
    {
        var s = TakenOver(T0);
        var outcome = s.ReceiveCustomerMessage(T0.AddMinutes(30), T0.AddMinutes(30), Quiet);
        Assert.That(outcome, Is.EqualTo(SessionOutcome.IgnoredPaused));
        Assert.That(s.IsPaused, Is.True);
    }

    [Test]
    public void CustomerMessage_WhenTakeoverQuietPeriodIsOver_AutoResumesAndReplies()
    {
        var s = TakenOver(T0);
        var later = T0 + Quiet + TimeSpan.FromSeconds(1);
        Assert.That(s.ReceiveCustomerMessage(later, later, Quiet), Is.EqualTo(SessionOutcome.AutoResumedAndReply));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.PauseReason, Is.Null);
        Assert.That(s.ResumedAt, Is.EqualTo(later));
    }

    [Test]
    public void CustomerMessage_WhenManuallyPausedEvenLongAgo_IsIgnored()
    {
        var s = ManuallyPaused(null);
        var muchLater = T0.AddDays(3);
        Assert.That(s.ReceiveCustomerMessage(muchLater, muchLater, Quiet), Is.EqualTo(SessionOutcome.IgnoredPaused));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
    }

    // owner message typed by hand

    [Test]
    public void OwnerMessage_WhenActive_PausesAsHumanTakeover()
    {
        var s = Active();
        var sentAt = T0.AddSeconds(-5);
        Assert.That(s.ReceiveOwnerMessage(sentAt, T0, Quiet), Is.EqualTo(SessionOutcome.Paused));
        Assert.That(s.IsPaused, Is.True);
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.HumanTakeover));
        Assert.That(s.LastHumanAt, Is.EqualTo(sentAt), "last_human_at is the message time, not the arrival time");
        Assert.That(s.PausedUntil, Is.EqualTo(sentAt + Quiet));
    }

    [Test]
    public void OwnerMessage_WhenAlreadyTakenOver_StaysPausedAndRefreshesClock()
    {
        var s = TakenOver(T0);
        var again = T0.AddMinutes(90);
        Assert.That(s.ReceiveOwnerMessage(again, again, Quiet), Is.EqualTo(SessionOutcome.StayedPaused));
        Assert.That(s.LastHumanAt, Is.EqualTo(again));
        Assert.That(s.PausedUntil, Is.EqualTo(again + Quiet));
    }

    [Test]
    public void OwnerMessage_WhenManuallyPaused_StaysManual()
    {
        var s = ManuallyPaused(TimeSpan.FromMinutes(30));
        var at = T0.AddMinutes(1);
        Assert.That(s.ReceiveOwnerMessage(at, at, Quiet), Is.EqualTo(SessionOutcome.StayedPaused));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
        Assert.That(s.PausedUntil, Is.EqualTo(T0.AddMinutes(30)));
        Assert.That(s.LastHumanAt, Is.EqualTo(at));
    }

    [Test]
    public void OwnerMessage_OlderThanQuietPeriod_DoesNotPause()
    {
        var s = Active();
        var backlog = T0 - Quiet - TimeSpan.FromMinutes(1);
        Assert.That(s.ReceiveOwnerMessage(backlog, T0, Quiet), Is.EqualTo(SessionOutcome.StaleOwnerMessage));
        Assert.That(s.IsPaused, Is.False);
    }

    [Test]
    public void OwnerMessage_DeliveredOutOfOrder_NeverMovesLastHumanAtBack()
    {
        var s = TakenOver(T0.AddMinutes(10));
        s.ReceiveOwnerMessage(T0.AddMinutes(5), T0.AddMinutes(11), Quiet);
        Assert.That(s.LastHumanAt, Is.EqualTo(T0.AddMinutes(10)));
        Assert.That(s.LastMessageAt, Is.EqualTo(T0.AddMinutes(10)));
    }

    // echo of HybridFlow's own message

    [Test]
    public void Echo_WhenActive_ChangesNothing()
    {
        var s = Active();
        Assert.That(s.ReceiveEcho(T0.AddSeconds(3), T0.AddSeconds(3)), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.LastHumanAt, Is.Null);
    }

    [Test]
    public void Echo_WhenPaused_ChangesNothing()
    {
        var s = TakenOver(T0);
        Assert.That(s.ReceiveEcho(T0.AddSeconds(3), T0.AddSeconds(3)), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.IsPaused, Is.True);
        Assert.That(s.LastHumanAt, Is.EqualTo(T0));
    }

    // manual pause

    [Test]
    public void ManualPause_WhenActive_PausesForTheGivenMinutes()
    {
        var s = Active();
        Assert.That(s.PauseManually(T0, TimeSpan.FromMinutes(15)), Is.EqualTo(SessionOutcome.PausedManually));
        Assert.That(s.IsPaused, Is.True);
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
        Assert.That(s.PausedUntil, Is.EqualTo(T0.AddMinutes(15)));
    }

    [Test]
    public void ManualPause_WithoutMinutes_PausesIndefinitely()
    {
        var s = Active();
        s.PauseManually(T0, null);
        Assert.That(s.PausedUntil, Is.Null);
        Assert.That(s.IsPaused, Is.True);
    }

    [Test]
    public void ManualPause_WhenTakenOver_UpdatesReasonAndUntil()
    {
        var s = TakenOver(T0);
        s.PauseManually(T0.AddMinutes(1), TimeSpan.FromMinutes(5));
        Assert.That(s.PauseReason, Is.EqualTo(PauseReason.Manual));
        Assert.That(s.PausedUntil, Is.EqualTo(T0.AddMinutes(6)));
    }

    [Test]
    public void ManualPause_WithNonPositiveDuration_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Active().PauseManually(T0, TimeSpan.Zero));

    // manual resume

    [Test]
    public void Resume_WhenActive_ChangesNothing()
    {
        var s = Active();
        Assert.That(s.Resume(T0), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.ResumedAt, Is.Null);
    }

    [TestCase(true)]
    [TestCase(false)]
    public void Resume_WhenPaused_Activates(bool takeover)
    {
        var s = takeover ? TakenOver(T0) : ManuallyPaused(null);
        Assert.That(s.Resume(T0.AddMinutes(1)), Is.EqualTo(SessionOutcome.Resumed));
        Assert.That(s.IsPaused, Is.False);
        Assert.That(s.PauseReason, Is.Null);
        Assert.That(s.PausedUntil, Is.Null);
    }

    // auto-resume sweep

    [Test]
    public void Sweep_WhenActive_ChangesNothing() =>
        Assert.That(Active().AutoResumeIfDue(T0.AddDays(1), Quiet), Is.EqualTo(SessionOutcome.Unchanged));

    [Test]
    public void Sweep_WhenTakeoverQuietPeriodIsOver_AutoResumes()
    {
        var s = TakenOver(T0);
        Assert.That(s.AutoResumeIfDue(T0 + Quiet, Quiet), Is.EqualTo(SessionOutcome.AutoResumed));
        Assert.That(s.IsPaused, Is.False);
    }

    [Test]
    public void Sweep_WhenTakeoverStillWithinQuietPeriod_KeepsPaused()
    {
        var s = TakenOver(T0);
        Assert.That(s.AutoResumeIfDue(T0 + Quiet - TimeSpan.FromSeconds(1), Quiet), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.IsPaused, Is.True);
    }

    [Test]
    public void Sweep_WhenTimedManualPauseRanOut_AutoResumes()
    {
        var s = ManuallyPaused(TimeSpan.FromMinutes(10));
        Assert.That(s.AutoResumeIfDue(T0.AddMinutes(10), Quiet), Is.EqualTo(SessionOutcome.AutoResumed));
    }

    [Test]
    public void Sweep_WhenTimedManualPauseNotOver_KeepsPaused() =>
        Assert.That(ManuallyPaused(TimeSpan.FromMinutes(10)).AutoResumeIfDue(T0.AddMinutes(9), Quiet), Is.EqualTo(SessionOutcome.Unchanged));

    [Test]
    public void Sweep_WhenManualPauseIsIndefinite_NeverAutoResumes()
    {
        var s = ManuallyPaused(null);
        Assert.That(s.AutoResumeIfDue(T0.AddYears(1), Quiet), Is.EqualTo(SessionOutcome.Unchanged));
        Assert.That(s.IsPaused, Is.True);
    }
}
