using HybridFlow.Domain.Messages;

namespace HybridFlow.Domain.Tests.Messages;

public sealed class MessageStatusTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset T1 = T0.AddSeconds(5);

    [TestCase("SERVER_ACK", 2)]
    [TestCase("DELIVERY_ACK", 3)]
    [TestCase("read", 4)]
    [TestCase(" PLAYED ", 5)]
    [TestCase("PENDING", 1)]
    [TestCase("ERROR", 1)]
    [TestCase("3", 3)]
    [TestCase("4", 4)]
    public void Parse_WhenKnownNameOrNumber_GivesItsRank(string value, int rank) =>
        Assert.That(MessageStatus.Parse(value)!.Rank, Is.EqualTo(rank));

    [TestCase("DELETED")]
    [TestCase("SEEN")]
    [TestCase("9")]
    [TestCase("-1")]
    [TestCase("")]
    [TestCase(null)]
    public void Parse_WhenUnknown_IsNull(string? value) => Assert.That(MessageStatus.Parse(value), Is.Null);

    [Test]
    public void Advance_WhenNoStatusYet_TakesTheReceipt()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.ServerAck, T0);
        Assert.That(d, Is.EqualTo(new MessageDelivery(MessageStatus.ServerAck, null, null)));
    }

    [Test]
    public void Advance_WhenInOrder_MovesForwardAndKeepsTimes()
    {
        var d = MessageDelivery.None
            .Advance(MessageStatus.ServerAck, T0)
            .Advance(MessageStatus.DeliveryAck, T0)
            .Advance(MessageStatus.Read, T1);
        Assert.That(d, Is.EqualTo(new MessageDelivery(MessageStatus.Read, T0, T1)));
    }

    [Test]
    public void Advance_WhenOlderReceiptArrivesLate_StaysWhereItWas()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.Read, T0).Advance(MessageStatus.DeliveryAck, T1);
        Assert.That(d, Is.EqualTo(new MessageDelivery(MessageStatus.Read, T0, T0)));
    }

    [Test]
    public void Advance_WhenReadFirst_AlsoCountsAsDelivered()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.Read, T0);
        Assert.That(d.DeliveredAt, Is.EqualTo(T0));
    }

    [Test]
    public void Advance_WhenSameReceiptTwice_KeepsTheFirstTime()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.DeliveryAck, T0).Advance(MessageStatus.DeliveryAck, T1);
        Assert.That(d, Is.EqualTo(new MessageDelivery(MessageStatus.DeliveryAck, T0, null)));
    }

    [Test]
    public void Advance_WhenPlayedAfterRead_MovesToPlayed()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.Read, T0).Advance(MessageStatus.Played, T1);
        Assert.That(d, Is.EqualTo(new MessageDelivery(MessageStatus.Played, T0, T0)));
    }

    [Test]
    public void Advance_WhenErrorAfterDelivered_StaysDelivered()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.DeliveryAck, T0).Advance(MessageStatus.Error, T1);
        Assert.That(d.Status, Is.EqualTo(MessageStatus.DeliveryAck));
    }

    [Test]
    public void Advance_WhenFailedAfterSent_ShowsTheFailure()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.ServerAck, T0).Advance(MessageStatus.Failed, T1);
        Assert.That(d.Status, Is.EqualTo(MessageStatus.Failed));
        Assert.That(d.DeliveredAt, Is.Null);
    }

    [Test]
    public void Advance_WhenSentArrivesAfterFailed_StaysFailed()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.Failed, T0).Advance(MessageStatus.ServerAck, T1);
        Assert.That(d.Status, Is.EqualTo(MessageStatus.Failed));
    }

    [Test]
    public void Advance_WhenFailedAfterDelivered_StaysDelivered()
    {
        var d = MessageDelivery.None.Advance(MessageStatus.DeliveryAck, T0).Advance(MessageStatus.Failed, T1);
        Assert.That(d.Status, Is.EqualTo(MessageStatus.DeliveryAck));
    }

    [Test]
    public void Failed_IsNotAStatusEvolutionNames() => Assert.That(MessageStatus.Parse("FAILED"), Is.Null);
}
