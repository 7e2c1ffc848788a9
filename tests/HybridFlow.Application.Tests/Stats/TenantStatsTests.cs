using FluentValidation.TestHelper;
using HybridFlow.Application.Stats;
using HybridFlow.Application.Stats.Queries;

namespace HybridFlow.Application.Tests.Stats;

public sealed class TenantStatsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);

    private sealed class FixedTime : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly GetTenantStatsQueryValidator Validator = new(new FixedTime());

    [Test]
    public void Resolve_WhenNothingGiven_IsTheLastSevenDays() =>
        Assert.That(StatsPeriod.Resolve(null, null, Now), Is.EqualTo((Now.AddDays(-7), Now)));

    [Test]
    public void Resolve_WhenOnlyToGiven_StartsSevenDaysBefore() =>
        Assert.That(StatsPeriod.Resolve(null, Now.AddDays(-1), Now), Is.EqualTo((Now.AddDays(-8), Now.AddDays(-1))));

    [Test]
    public void Validate_WhenToIsNotAfterFrom_FailsOnTo() =>
        Validator.TestValidate(new GetTenantStatsQuery(1, Now, Now)).ShouldHaveValidationErrorFor("to");

    [Test]
    public void Validate_WhenOnlyFromIsInTheFuture_FailsOnTo() =>
        Validator.TestValidate(new GetTenantStatsQuery(1, Now.AddDays(1), null)).ShouldHaveValidationErrorFor("to");

    [Test]
    public void Validate_WhenPeriodIsLongerThan366Days_FailsOnFrom() =>
        Validator.TestValidate(new GetTenantStatsQuery(1, Now.AddDays(-367), Now)).ShouldHaveValidationErrorFor("from");

    [Test]
    public void Validate_WhenPeriodIs366Days_Passes() =>
        Validator.TestValidate(new GetTenantStatsQuery(1, Now.AddDays(-366), Now)).ShouldNotHaveAnyValidationErrors();

    [Test]
    public void ToDto_AddsSharesAndTokenTotals()
    {
        var counts = new TenantStatsCounts(4, 9, 5, 6, 1, 0, 0, 1, 3, 2.5, 7.25, 3,
            [new ModelTokenCounts("anthropic", "claude-x", 1, 100, 10, 0), new ModelTokenCounts("openai", "gpt-x", 2, 300, 30, 200)]);
        var dto = GetTenantStatsQueryHandler.ToDto(7, Now.AddDays(-7), Now, counts);
        Assert.That(dto.HandledByBotShare, Is.EqualTo(0.75));
        Assert.That(dto.FirstReply, Is.EqualTo(new FirstReplyStats(3, 2.5, 7.25)));
        Assert.That(dto.Tokens.Calls, Is.EqualTo(3));
        Assert.That((dto.Tokens.Input, dto.Tokens.Output, dto.Tokens.Cached), Is.EqualTo((400L, 40L, 200L)));
        Assert.That(dto.Tokens.CachedShare, Is.EqualTo(0.5));
        Assert.That(dto.Tokens.ByModel[0].CachedShare, Is.EqualTo(0));
        Assert.That(dto.Tokens.ByModel[1].CachedShare, Is.EqualTo(0.6667));
    }

    [Test]
    public void ToDto_WhenNothingHappened_SharesAreNull()
    {
        var dto = GetTenantStatsQueryHandler.ToDto(7, Now.AddDays(-7), Now, new TenantStatsCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, null, null, 0, []));
        Assert.That(dto.HandledByBotShare, Is.Null);
        Assert.That(dto.Tokens.CachedShare, Is.Null);
        Assert.That(dto.FirstReply.MedianSeconds, Is.Null);
    }
}
