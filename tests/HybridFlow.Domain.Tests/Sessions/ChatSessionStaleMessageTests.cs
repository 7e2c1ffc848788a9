using HybridFlow.Domain.Sessions;

namespace HybridFlow.Domain.Tests.Sessions;

/// <summary>Old customer messages (stale_message_minutes) and the needs_attention flag.</summary>
public sealed class ChatSessionStaleMessageTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quiet = TimeSpan.FromHours(2);
    private static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(30);

    private static ChatSession Active() => ChatSession.Start(1, 1, "5511999990001@s.whatsapp.net", T0);

    [Test]
    public void CustomerMessage_WhenOlderThanStaleLimit_IsIgnoredStaleAndFlagged()
    {
        var s = Active();
        var sentAt = T0.AddDays(-2);

        Assert.That(s.ReceiveCustomerMessage(sentAt, T0, Quiet, StaleAfter), Is.EqualTo(SessionOutcome.IgnoredStale));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.NeedsAttention, Is.True);
            Assert.That(s.IsPaused, Is.False, "a flag, not a pause");
            Assert.That(s.LastMessageAt, Is.EqualTo(sentAt));
            Assert.That(SessionOutcome.IgnoredStale.RequiresReply(), Is.False);
        }
    }

    [Test]
    public void CustomerMessage_WhenExactlyAtStaleLimit_Replies()
    {
        var s = Active();
        Assert.That(s.ReceiveCustomerMessage(T0 - StaleAfter, T0, Quiet, StaleAfter), Is.EqualTo(SessionOutcome.Reply));
        Assert.That(s.NeedsAttention, Is.False);
    }

    [Test]
    public void CustomerMessage_WhenNoStaleLimit_RepliesWhateverItsAge()
    {
        var s = Active();
        Assert.That(s.ReceiveCustomerMessage(T0.AddDays(-7), T0, Quiet), Is.EqualTo(SessionOutcome.Reply));
    }

    [Test]
    public void FreshCustomerMessage_AfterAStaleOne_IsAnsweredAndTheFlagStays()
    {
        var s = Active();
        s.ReceiveCustomerMessage(T0.AddHours(-3), T0, Quiet, StaleAfter);

        Assert.That(s.ReceiveCustomerMessage(T0.AddMinutes(1), T0.AddMinutes(1), Quiet, StaleAfter), Is.EqualTo(SessionOutcome.Reply));
        Assert.That(s.NeedsAttention, Is.True, "the old question still waits for a person");
    }

    [Test]
    public void CustomerMessage_WhenPausedAndStale_IsIgnoredStaleAndFlagged()
    {
        var s = Active();
        s.PauseManually(T0, null);
        Assert.That(s.ReceiveCustomerMessage(T0.AddHours(-1), T0, Quiet, StaleAfter), Is.EqualTo(SessionOutcome.IgnoredStale));
        Assert.That(s.NeedsAttention, Is.True);
    }

    [Test]
    public void HandoffRequest_WhenStale_IsIgnoredStaleAndDoesNotPause()
    {
        var s = Active();
        Assert.That(s.ReceiveHandoffRequest(T0.AddHours(-1), T0, Quiet, StaleAfter), Is.EqualTo(SessionOutcome.IgnoredStale));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.IsPaused, Is.False);
            Assert.That(s.NeedsAttention, Is.True);
        }
    }

    [Test]
    public void OwnerMessage_WhenFlagged_ClearsTheFlag()
    {
        var s = Active();
        s.ReceiveCustomerMessage(T0.AddHours(-1), T0, Quiet, StaleAfter);
        s.ReceiveOwnerMessage(T0.AddMinutes(1), T0.AddMinutes(1), Quiet);
        Assert.That(s.NeedsAttention, Is.False);
    }

    [Test]
    public void StaleOwnerMessage_WhenFlagged_KeepsTheFlag()
    {
        var s = Active();
        s.ReceiveCustomerMessage(T0.AddHours(-1), T0, Quiet, StaleAfter);
        Assert.That(s.ReceiveOwnerMessage(T0.AddHours(-5), T0, Quiet), Is.EqualTo(SessionOutcome.StaleOwnerMessage));
        Assert.That(s.NeedsAttention, Is.True);
    }

    [Test]
    public void Resume_WhenActiveAndFlagged_ClearsTheFlag()
    {
        var s = Active();
        s.FlagForAttention(T0);
        Assert.That(s.Resume(T0.AddMinutes(1)), Is.EqualTo(SessionOutcome.AttentionCleared));
        Assert.That(s.NeedsAttention, Is.False);
    }

    [Test]
    public void Resume_WhenActiveAndNotFlagged_IsUnchanged() =>
        Assert.That(Active().Resume(T0), Is.EqualTo(SessionOutcome.Unchanged));

    [Test]
    public void PauseManually_WhenFlagged_ClearsTheFlag()
    {
        var s = Active();
        s.FlagForAttention(T0);
        s.PauseManually(T0.AddMinutes(1), TimeSpan.FromMinutes(5));
        Assert.That(s.NeedsAttention, Is.False);
    }

    [Test]
    public void FlagForAttention_WhenActive_FlagsWithoutPausing()
    {
        var s = Active();
        Assert.That(s.FlagForAttention(T0), Is.EqualTo(SessionOutcome.NeedsAttention));
        Assert.That(s.FlagForAttention(T0), Is.EqualTo(SessionOutcome.Unchanged));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.NeedsAttention, Is.True);
            Assert.That(s.IsPaused, Is.False);
            Assert.That(s.ReceiveCustomerMessage(T0.AddMinutes(1), T0.AddMinutes(1), Quiet, StaleAfter), Is.EqualTo(SessionOutcome.Reply));
        }
    }

    [Test]
    public void AcknowledgeAttention_WhenFlagged_ClearsIt_AndOtherwiseChangesNothing()
    {
        var s = Active();
        Assert.That(s.AcknowledgeAttention(T0), Is.EqualTo(SessionOutcome.Unchanged));
        s.FlagForAttention(T0);
        Assert.That(s.AcknowledgeAttention(T0.AddMinutes(1)), Is.EqualTo(SessionOutcome.AttentionCleared));
        Assert.That(s.NeedsAttention, Is.False);
    }
}
