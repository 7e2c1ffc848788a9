using HybridFlow.Domain.Replies;

namespace HybridFlow.Domain.Tests.Replies;

/// <summary>A reply or notice of a Cloud API chat whose 24-hour window closed ends with nothing sent.</summary>
public sealed class ReplyJobServiceWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private static ReplyJob Claimed() => ReplyJobStates.Claim(ReplyJobStates.Queue(1, 7, T0, T0), T0, Lease);

    [Test]
    public void EndOutsideServiceWindow_WhenProcessing_EndsTheJobWithNothingSent()
    {
        var job = Claimed();
        Assert.That(job.EndOutsideServiceWindow(1, T0), Is.EqualTo(ReplyJobOutcome.OutsideServiceWindow));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Cancelled));
        Assert.That(job.IsFinished, Is.True);
        Assert.That(job.SentProviderMessageId, Is.Null);
        Assert.That(job.LastError, Does.Contain("24-hour"));
    }

    [Test]
    public void EndOutsideServiceWindow_WhenCancelledMeanwhile_StaysCancelled()
    {
        var job = Claimed();
        job.Cancel("human took over", T0);
        Assert.That(job.EndOutsideServiceWindow(1, T0), Is.EqualTo(ReplyJobOutcome.Cancelled));
        Assert.That(job.LastError, Is.EqualTo("human took over"));
    }

    [Test]
    public void EndOutsideServiceWindow_WhenAnotherAttemptHoldsTheJob_IsLost()
    {
        var job = Claimed();
        Assert.That(job.EndOutsideServiceWindow(2, T0), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Processing));
    }

    [Test]
    public void EndOutsideServiceWindow_WhenNotClaimed_IsLost()
    {
        var job = ReplyJobStates.Queue(1, 7, T0, T0);
        Assert.That(job.EndOutsideServiceWindow(0, T0), Is.EqualTo(ReplyJobOutcome.Lost));
        Assert.That(job.Status, Is.EqualTo(ReplyJobStatus.Pending));
    }
}
