using HybridFlow.Domain.Chats;

namespace HybridFlow.Domain.Tests.Chats;

/// <summary>WhatsApp's 24-hour customer service window, counted from the WhatsApp timestamp of the customer's last message.</summary>
public sealed class ServiceWindowTests
{
    private static readonly DateTimeOffset Sent = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Test]
    public void After_ACustomerMessage_ClosesTwentyFourHoursLater() =>
        Assert.That(ServiceWindow.After(Sent).ClosesAt, Is.EqualTo(Sent.AddHours(24)));

    [Test]
    public void IsOpenAt_WithinTwentyFourHours_IsTrue()
    {
        var window = ServiceWindow.After(Sent);
        Assert.That(window.IsOpenAt(Sent), Is.True);
        Assert.That(window.IsOpenAt(Sent.AddHours(23).AddMinutes(59)), Is.True);
    }

    [Test]
    public void IsOpenAt_AtOrAfterTwentyFourHours_IsFalse()
    {
        var window = ServiceWindow.After(Sent);
        Assert.That(window.IsOpenAt(Sent.AddHours(24)), Is.False, "closes at exactly 24 hours");
        Assert.That(window.IsOpenAt(Sent.AddDays(3)), Is.False);
    }

    [Test]
    public void After_NoCustomerMessage_IsClosed()
    {
        var window = ServiceWindow.After(null);
        Assert.That(window.ClosesAt, Is.Null);
        Assert.That(window.IsOpenAt(Sent), Is.False);
    }

    [Test]
    public void After_AMessageSentLongAgo_IsClosedHoweverLateItArrived()
    {
        // The WhatsApp timestamp counts, not when the message reached us: one sent 25 hours ago and delivered now opens nothing.
        var window = ServiceWindow.After(Sent.AddHours(-25));
        Assert.That(window.IsOpenAt(Sent), Is.False);
    }

    [Test]
    public void Length_IsTwentyFourHours() => Assert.That(ServiceWindow.Length, Is.EqualTo(TimeSpan.FromHours(24)));
}
