using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Tenants;

public sealed class TokenBudgetTests
{
    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, null, System.Globalization.DateTimeStyles.AssumeUniversal);

    [Test]
    public void Check_WithoutABudget_IsUnlimited_WhateverWasUsed()
    {
        Assert.That(TokenBudget.Unlimited.Check(0), Is.EqualTo(TokenBudgetState.Unlimited));
        Assert.That(TokenBudget.Unlimited.Check(long.MaxValue), Is.EqualTo(TokenBudgetState.Unlimited));
        Assert.That(TokenBudget.Unlimited.Left(5_000), Is.Null);
    }

    [TestCase(0, TokenBudgetState.Available)]
    [TestCase(999, TokenBudgetState.Available)]
    [TestCase(1_000, TokenBudgetState.Exhausted)]
    [TestCase(1_250, TokenBudgetState.Exhausted)]
    public void Check_AgainstABudgetOf1000_IsExhaustedFromTheBudgetOn(long used, TokenBudgetState expected) =>
        Assert.That(new TokenBudget(1_000).Check(used), Is.EqualTo(expected));

    [Test]
    public void Check_WithABudgetOfZero_IsExhaustedAtOnce() =>
        Assert.That(new TokenBudget(0).Check(0), Is.EqualTo(TokenBudgetState.Exhausted));

    [TestCase(0, 1_000)]
    [TestCase(400, 600)]
    [TestCase(1_000, 0)]
    [TestCase(1_300, 0)]
    public void Left_IsTheBudgetMinusTheUse_NeverBelowZero(long used, long left) =>
        Assert.That(new TokenBudget(1_000).Left(used), Is.EqualTo(left));

    [Test]
    public void MonthStart_IsTheFirstOfTheCalendarMonthInUtc()
    {
        Assert.That(TokenBudget.MonthStart(Utc("2026-12-06T14:00:00Z")), Is.EqualTo(Utc("2026-12-01T00:00:00Z")));
        Assert.That(TokenBudget.MonthStart(Utc("2026-12-01T00:00:00Z")), Is.EqualTo(Utc("2026-12-01T00:00:00Z")));
        // The month is UTC's, not the caller's offset: 00:30 on 1 February at UTC+3 is still January in UTC.
        Assert.That(TokenBudget.MonthStart(DateTimeOffset.Parse("2027-02-01T00:30:00-03:00")), Is.EqualTo(Utc("2027-02-01T00:00:00Z")));
        Assert.That(TokenBudget.MonthStart(DateTimeOffset.Parse("2027-02-01T00:30:00+03:00")), Is.EqualTo(Utc("2027-01-01T00:00:00Z")));
    }
}
