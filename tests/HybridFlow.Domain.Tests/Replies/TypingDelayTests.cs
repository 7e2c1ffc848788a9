using HybridFlow.Domain.Replies;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Replies;

public sealed class TypingDelayTests
{
    [Test]
    public void For_WhenIndicatorOff_AnswersNoDelay() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default with { TypingIndicator = false }, new string('a', 100)), Is.Null);

    [Test]
    public void For_WhenMidRange_IsMsPerCharTimesLength() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default, new string('a', 100)), Is.EqualTo(TimeSpan.FromMilliseconds(2_500)));

    [Test]
    public void For_WhenShortText_IsHalfASecond() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default, "Oi"), Is.EqualTo(TimeSpan.FromMilliseconds(500)));

    [Test]
    public void For_WhenLongText_IsSixSeconds() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default, new string('a', 4_096)), Is.EqualTo(TimeSpan.FromSeconds(6)));

    [Test]
    public void For_WhenZeroMsPerChar_IsTheMinimum() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default with { TypingMsPerChar = 0 }, "texto"), Is.EqualTo(TimeSpan.FromMilliseconds(500)));

    [Test]
    public void For_WhenLargestMsPerChar_DoesNotOverflow() =>
        Assert.That(TypingDelay.For(ConversationSettings.Default with { TypingMsPerChar = int.MaxValue }, new string('a', 4_096)),
            Is.EqualTo(TimeSpan.FromSeconds(6)));
}
