using HybridFlow.Domain.Logins;

namespace HybridFlow.Domain.Tests.Logins;

public sealed class LoginThrottleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);
    private static readonly LoginThrottleRule Pair = LoginThrottleRule.EmailFromAddress;

    private static LoginAdmission Fail(LoginThrottle throttle, DateTimeOffset at, int times = 1, LoginThrottleRule? rule = null)
    {
        LoginAdmission last = null!;
        for (var i = 0; i < times; i++) last = throttle.Admit(at, rule ?? Pair);
        return last;
    }

    [Test]
    public void Admit_FourFailures_AreCountedWithoutABlock()
    {
        var throttle = new LoginThrottle();
        var fourth = Fail(throttle, T0, 4);
        Assert.That(fourth.Admitted && !fourth.BlocksIfWrong, Is.True);
        Assert.That(throttle.BlockedUntil, Is.Null);
    }

    [Test]
    public void Admit_TheFifthInFifteenMinutes_BlocksForOneMinute_AndTheNextIsRefused()
    {
        var throttle = new LoginThrottle();
        Fail(throttle, T0, 4);
        var fifth = throttle.Admit(T0.AddMinutes(14), Pair);
        var sixth = throttle.Admit(T0.AddMinutes(14.5), Pair);

        Assert.That(fifth is { Admitted: true, BlocksIfWrong: true }, Is.True);
        Assert.That(fifth.RetryAfter, Is.EqualTo(TimeSpan.FromMinutes(1)));
        Assert.That(sixth.Admitted, Is.False);
        Assert.That(sixth.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void Admit_FailuresSpreadOverMoreThanTheWindow_DoNotBlock()
    {
        var throttle = new LoginThrottle();
        Fail(throttle, T0, 4);
        var later = throttle.Admit(T0.AddMinutes(16), Pair);
        Assert.That(later.BlocksIfWrong, Is.False);
    }

    [Test]
    public void Admit_AfterABlock_EachFailureDoublesTheBlock_UpToAnHour()
    {
        var throttle = new LoginThrottle();
        var at = T0;
        var blocks = new List<TimeSpan> { Fail(throttle, at, 5).RetryAfter };
        for (var i = 0; i < 8; i++)
        {
            at = throttle.BlockedUntil!.Value.AddSeconds(1);
            blocks.Add(throttle.Admit(at, Pair).RetryAfter);
        }
        Assert.That(blocks.Select(b => b.TotalMinutes), Is.EqualTo(new double[] { 1, 2, 4, 8, 16, 32, 60, 60, 60 }));
    }

    [Test]
    public void Admit_QuietForTheWindowAfterABlock_StartsOver()
    {
        var throttle = new LoginThrottle();
        Fail(throttle, T0, 5);
        var after = throttle.Admit(throttle.BlockedUntil!.Value.AddMinutes(16), Pair);
        Assert.That(after.BlocksIfWrong, Is.False);
        Assert.That(throttle.Strikes, Is.EqualTo(0));
    }

    [Test]
    public void Forgive_TheTryThatWouldBlock_LiftsTheBlock_AndKeepsTheEarlierCount()
    {
        var rule = LoginThrottleRule.Email(3);
        var throttle = new LoginThrottle();
        Fail(throttle, T0, 2, rule);
        var third = throttle.Admit(T0, rule);
        throttle.Forgive(third, rule);

        Assert.That(throttle.BlockedUntil, Is.Null);
        Assert.That(throttle.Admit(T0.AddSeconds(1), rule).BlocksIfWrong, Is.True, "the two earlier failures still count");
    }

    [Test]
    public void Forgive_AnOrdinaryTry_TakesItBack()
    {
        var throttle = new LoginThrottle();
        var first = throttle.Admit(T0, LoginThrottleRule.Address);
        throttle.Forgive(first, LoginThrottleRule.Address);
        Assert.That(throttle.Failures, Is.EqualTo(0));
    }

    [Test]
    public void Address_HundredFailuresInAnHour_BlockForAnHour()
    {
        var throttle = new LoginThrottle();
        var ninetyNinth = Fail(throttle, T0, 99, LoginThrottleRule.Address);
        var hundredth = throttle.Admit(T0.AddMinutes(59), LoginThrottleRule.Address);
        Assert.That(ninetyNinth.BlocksIfWrong, Is.False);
        Assert.That(hundredth.RetryAfter, Is.EqualTo(TimeSpan.FromHours(1)));
        Assert.That(throttle.Admit(T0.AddMinutes(60), LoginThrottleRule.Address).Admitted, Is.False);
        Assert.That(throttle.Admit(T0.AddMinutes(120), LoginThrottleRule.Address) is { Admitted: true, BlocksIfWrong: false }, Is.True,
            "after the block the count starts over");
    }

    [Test]
    public void Reset_ClearsCountAndBlocks()
    {
        var throttle = new LoginThrottle();
        Fail(throttle, T0, 5);
        throttle.Reset();
        Assert.That(throttle.Admit(T0, Pair) is { Admitted: true, BlocksIfWrong: false }, Is.True);
    }
}
