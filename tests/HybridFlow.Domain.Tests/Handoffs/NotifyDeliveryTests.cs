using HybridFlow.Domain.Handoffs;

namespace HybridFlow.Domain.Tests.Handoffs;

/// <summary>The notify_url POST's lifecycle: one test per (status, transition) cell, legal and illegal.</summary>
public sealed class NotifyDeliveryTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private static NotifyDelivery Claimed()
    {
        var d = NotifyDelivery.Queue(T0);
        d.Claim(T0, Lease);
        return d;
    }

    private static NotifyDelivery Retrying()
    {
        var d = Claimed();
        d.Failed(1, permanent: false, "HTTP 500", T0);
        return d;
    }

    private static NotifyDelivery Delivered()
    {
        var d = Claimed();
        d.Delivered(1, T0);
        return d;
    }

    private static NotifyDelivery Dead()
    {
        var d = Claimed();
        d.Failed(1, permanent: true, "refused", T0);
        return d;
    }

    [Test]
    public void Queue_IsPendingAndDueNow()
    {
        var d = NotifyDelivery.Queue(T0);
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Pending));
        Assert.That(d.IsClaimable(T0), Is.True);
    }

    [Test]
    public void Claim_WhenPendingAndDue_IsDeliveringUnderALease_CountingTheAttempt()
    {
        var d = NotifyDelivery.Queue(T0);
        Assert.That(d.Claim(T0, Lease), Is.EqualTo(NotifyDeliveryOutcome.Claimed));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Delivering));
        Assert.That(d.Attempts, Is.EqualTo(1));
        Assert.That(d.LockedUntil, Is.EqualTo(T0 + Lease));
    }

    [Test]
    public void Claim_WhenDeliveringUnderALiveLease_Throws() =>
        Assert.Throws<NotifyDeliveryStateException>(() => Claimed().Claim(T0 + TimeSpan.FromSeconds(1), Lease));

    [Test]
    public void Claim_WhenDeliveringAndTheLeaseRanOut_IsClaimedAgainAsTheNextAttempt()
    {
        var d = Claimed();
        Assert.That(d.Claim(T0 + Lease, Lease), Is.EqualTo(NotifyDeliveryOutcome.Claimed));
        Assert.That(d.Attempts, Is.EqualTo(2));
    }

    [Test]
    public void Claim_WhenRetryingBeforeItsDueTime_Throws() =>
        Assert.Throws<NotifyDeliveryStateException>(() => Retrying().Claim(T0, Lease));

    [Test]
    public void Claim_WhenRetryingAndDue_IsClaimed()
    {
        var d = Retrying();
        Assert.That(d.Claim(d.DueAt, Lease), Is.EqualTo(NotifyDeliveryOutcome.Claimed));
        Assert.That(d.Attempts, Is.EqualTo(2));
    }

    [Test]
    public void Claim_WhenDelivered_Throws() => Assert.Throws<NotifyDeliveryStateException>(() => Delivered().Claim(T0.AddDays(1), Lease));

    [Test]
    public void Claim_WhenDead_Throws() => Assert.Throws<NotifyDeliveryStateException>(() => Dead().Claim(T0.AddDays(1), Lease));

    [Test]
    public void Delivered_WhenDeliveringWithItsAttempt_IsDelivered()
    {
        var d = Claimed();
        Assert.That(d.Delivered(1, T0), Is.EqualTo(NotifyDeliveryOutcome.Delivered));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Delivered));
        Assert.That(d.LockedUntil, Is.Null);
        Assert.That(d.IsFinished, Is.True);
    }

    [Test]
    public void Delivered_WhenAnotherAttemptHoldsIt_IsLostAndChangesNothing()
    {
        var d = Claimed();
        d.Claim(T0 + Lease, Lease);
        Assert.That(d.Delivered(1, T0 + Lease), Is.EqualTo(NotifyDeliveryOutcome.Lost));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Delivering));
    }

    [Test]
    public void Delivered_WhenPending_IsLost() => Assert.That(NotifyDelivery.Queue(T0).Delivered(0, T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Delivered_WhenRetrying_IsLost() => Assert.That(Retrying().Delivered(1, T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Delivered_WhenAlreadyDelivered_IsLost() => Assert.That(Delivered().Delivered(1, T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Delivered_WhenDead_IsLostAndStaysDead()
    {
        var d = Dead();
        Assert.That(d.Delivered(1, T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Dead));
    }

    [Test]
    public void Failed_WhenDeliveringAndNotPermanent_RetriesAfterTheBackoff()
    {
        var d = Claimed();
        Assert.That(d.Failed(1, permanent: false, "HTTP 503", T0), Is.EqualTo(NotifyDeliveryOutcome.Retry));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Retrying));
        Assert.That(d.DueAt, Is.EqualTo(T0 + TimeSpan.FromSeconds(2)));
        Assert.That(d.LastError, Is.EqualTo("HTTP 503"));
        Assert.That(d.LockedUntil, Is.Null);
    }

    [Test]
    public void Failed_WhenPermanent_IsDead()
    {
        var d = Claimed();
        Assert.That(d.Failed(1, permanent: true, "outbound address not allowed", T0), Is.EqualTo(NotifyDeliveryOutcome.Dead));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Dead));
    }

    [Test]
    public void Failed_OnTheLastAttempt_IsDead()
    {
        var d = NotifyDelivery.Restore(1, NotifyDeliveryStatus.Retrying, NotifyDelivery.Policy.MaxAttempts - 1, T0, null, "HTTP 500", T0);
        d.Claim(T0, Lease);
        Assert.That(d.Failed(NotifyDelivery.Policy.MaxAttempts, permanent: false, "HTTP 500", T0), Is.EqualTo(NotifyDeliveryOutcome.Dead));
    }

    [Test]
    public void Failed_WhenAnotherAttemptHoldsIt_IsLost()
    {
        var d = Claimed();
        d.Claim(T0 + Lease, Lease);
        Assert.That(d.Failed(1, permanent: false, "HTTP 500", T0 + Lease), Is.EqualTo(NotifyDeliveryOutcome.Lost));
        Assert.That(d.LastError, Is.Null);
    }

    [Test]
    public void Failed_WhenPending_IsLost() => Assert.That(NotifyDelivery.Queue(T0).Failed(0, false, "x", T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Failed_WhenRetrying_IsLost() => Assert.That(Retrying().Failed(1, false, "x", T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Failed_WhenDelivered_IsLostAndStaysDelivered()
    {
        var d = Delivered();
        Assert.That(d.Failed(1, false, "x", T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));
        Assert.That(d.Status, Is.EqualTo(NotifyDeliveryStatus.Delivered));
    }

    [Test]
    public void Failed_WhenDead_IsLost() => Assert.That(Dead().Failed(1, false, "x", T0), Is.EqualTo(NotifyDeliveryOutcome.Lost));

    [Test]
    public void Failed_WithoutAReason_Throws() => Assert.Throws<ArgumentException>(() => Claimed().Failed(1, false, " ", T0));

    [TestCase(1, 2)]
    [TestCase(2, 4)]
    [TestCase(10, 1024)]
    [TestCase(11, 1800)]
    [TestCase(59, 1800)]
    public void Policy_DoublesFromTwoSeconds_CappedAtThirtyMinutes(int attempt, int seconds) =>
        Assert.That(NotifyDelivery.Policy.DelayAfter(attempt), Is.EqualTo(TimeSpan.FromSeconds(seconds)));
}
