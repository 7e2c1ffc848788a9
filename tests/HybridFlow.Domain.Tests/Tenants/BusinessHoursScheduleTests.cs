using HybridFlow.Domain.Tenants;

namespace HybridFlow.Domain.Tests.Tenants;

public sealed class BusinessHoursScheduleTests
{
    private static OpeningInterval I(string open, string close) => new(TimeOnly.Parse(open), TimeOnly.Parse(close));

    private static BusinessHoursSchedule Schedule(string zone, params (DayOfWeek Day, OpeningInterval Interval)[] intervals) => new(
        BusinessHoursSchedule.FindZone(zone),
        intervals.GroupBy(i => i.Day).ToDictionary(g => g.Key, g => (IReadOnlyList<OpeningInterval>)g.Select(i => i.Interval).ToList()));

    private static DateTimeOffset Utc(string iso) => DateTimeOffset.Parse(iso, null, System.Globalization.DateTimeStyles.AssumeUniversal);

    // 2026-12-04 is a Friday.
    private static readonly BusinessHoursSchedule Weekdays = Schedule("UTC",
        (DayOfWeek.Monday, I("09:00", "18:00")), (DayOfWeek.Tuesday, I("09:00", "18:00")), (DayOfWeek.Wednesday, I("09:00", "18:00")),
        (DayOfWeek.Thursday, I("09:00", "18:00")), (DayOfWeek.Friday, I("09:00", "18:00")));

    [Test]
    public void IsOpen_WhenNoHoursAreSet_IsAlwaysOpen()
    {
        var always = new BusinessHoursSchedule(TimeZoneInfo.Utc, null);
        Assert.That(always.IsOpen(Utc("2026-12-06T03:00:00Z")), Is.True);
        Assert.That(always.ClosedSince(Utc("2026-12-06T03:00:00Z")), Is.Null);
    }

    [Test]
    public void IsOpen_AtTheBoundaries_OpensAtOpenAndClosesAtClose()
    {
        Assert.That(Weekdays.IsOpen(Utc("2026-12-04T08:59:59Z")), Is.False);
        Assert.That(Weekdays.IsOpen(Utc("2026-12-04T09:00:00Z")), Is.True);
        Assert.That(Weekdays.IsOpen(Utc("2026-12-04T17:59:59Z")), Is.True);
        Assert.That(Weekdays.IsOpen(Utc("2026-12-04T18:00:00Z")), Is.False);
    }

    [Test]
    public void IsOpen_OnADayWithoutIntervals_IsClosed() =>
        Assert.That(Weekdays.IsOpen(Utc("2026-12-05T12:00:00Z")), Is.False);

    [Test]
    public void ClosedSince_OverTheWeekend_IsFridaysClose()
    {
        Assert.That(Weekdays.ClosedSince(Utc("2026-12-05T12:00:00Z")), Is.EqualTo(Utc("2026-12-04T18:00:00Z")));
        Assert.That(Weekdays.ClosedSince(Utc("2026-12-07T08:00:00Z")), Is.EqualTo(Utc("2026-12-04T18:00:00Z")));
        Assert.That(Weekdays.ClosedSince(Utc("2026-12-07T10:00:00Z")), Is.Null);
    }

    [Test]
    public void ClosedSince_OnTheNextNight_IsThatEveningsClose() =>
        Assert.That(Weekdays.ClosedSince(Utc("2026-12-08T07:00:00Z")), Is.EqualTo(Utc("2026-12-07T18:00:00Z")));

    [Test]
    public void ClosedSince_WhenTheWeekHasNoOpening_IsTheBeginningOfTime() =>
        Assert.That(Schedule("UTC").ClosedSince(Utc("2026-12-05T12:00:00Z")), Is.EqualTo(DateTimeOffset.MinValue));

    [Test]
    public void IsOpen_WhenTheIntervalCrossesMidnight_StaysOpenIntoTheNextDay()
    {
        var lateFriday = Schedule("UTC", (DayOfWeek.Friday, I("22:00", "02:00")));
        Assert.That(lateFriday.IsOpen(Utc("2026-12-04T21:59:00Z")), Is.False);
        Assert.That(lateFriday.IsOpen(Utc("2026-12-04T22:00:00Z")), Is.True);
        Assert.That(lateFriday.IsOpen(Utc("2026-12-05T01:59:00Z")), Is.True, "Saturday 01:59 is still Friday's night");
        Assert.That(lateFriday.IsOpen(Utc("2026-12-05T02:00:00Z")), Is.False);
        Assert.That(lateFriday.IsOpen(Utc("2026-12-05T23:00:00Z")), Is.False, "Saturday's own evening is closed");
        Assert.That(lateFriday.ClosedSince(Utc("2026-12-05T10:00:00Z")), Is.EqualTo(Utc("2026-12-05T02:00:00Z")));
    }

    [Test]
    public void IsOpen_WhenTheIntervalEndsAtMidnight_IsOpenUntilTheDayEnds()
    {
        var evening = Schedule("UTC", (DayOfWeek.Friday, I("18:00", "00:00")));
        Assert.That(evening.IsOpen(Utc("2026-12-04T23:59:59Z")), Is.True);
        Assert.That(evening.IsOpen(Utc("2026-12-05T00:00:00Z")), Is.False);
        Assert.That(evening.ClosedSince(Utc("2026-12-05T08:00:00Z")), Is.EqualTo(Utc("2026-12-05T00:00:00Z")));
    }

    [Test]
    public void IsOpen_InATimeZone_UsesItsLocalTime()
    {
        // São Paulo is UTC-3 (no DST since 2019): 09:00 local is 12:00 UTC.
        var saoPaulo = Schedule("America/Sao_Paulo", (DayOfWeek.Friday, I("09:00", "18:00")));
        Assert.That(saoPaulo.IsOpen(Utc("2026-12-04T11:59:00Z")), Is.False);
        Assert.That(saoPaulo.IsOpen(Utc("2026-12-04T12:00:00Z")), Is.True);
        Assert.That(saoPaulo.ClosedSince(Utc("2026-12-05T01:00:00Z")), Is.EqualTo(Utc("2026-12-04T21:00:00Z")));
    }

    [Test]
    public void IsOpen_OnASpringForwardNight_CoversOnlyTheLocalTimesThatExist()
    {
        // New York, Sunday 2026-03-08: 02:00 EST jumps to 03:00 EDT. 01:30–03:00 is open 01:30–01:59 EST (06:30–07:00 UTC).
        var ny = Schedule("America/New_York", (DayOfWeek.Sunday, I("01:30", "03:00")));
        Assert.That(ny.IsOpen(Utc("2026-03-08T06:29:00Z")), Is.False);
        Assert.That(ny.IsOpen(Utc("2026-03-08T06:30:00Z")), Is.True, "01:30 EST");
        Assert.That(ny.IsOpen(Utc("2026-03-08T06:59:00Z")), Is.True, "01:59 EST");
        Assert.That(ny.IsOpen(Utc("2026-03-08T07:00:00Z")), Is.False, "03:00 EDT");
        Assert.That(ny.ClosedSince(Utc("2026-03-08T08:00:00Z")), Is.EqualTo(Utc("2026-03-08T07:00:00Z")));
    }

    [Test]
    public void IsOpen_OnAFallBackNight_IsOpenThroughBothPassesOfTheHour()
    {
        // New York, Sunday 2026-11-01: 02:00 EDT falls back to 01:00 EST; 01:00–02:00 happens twice (05:00–07:00 UTC).
        var ny = Schedule("America/New_York", (DayOfWeek.Sunday, I("01:00", "02:00")));
        Assert.That(ny.IsOpen(Utc("2026-11-01T04:59:00Z")), Is.False, "00:59 EDT");
        Assert.That(ny.IsOpen(Utc("2026-11-01T05:30:00Z")), Is.True, "01:30 EDT");
        Assert.That(ny.IsOpen(Utc("2026-11-01T06:30:00Z")), Is.True, "01:30 EST");
        Assert.That(ny.IsOpen(Utc("2026-11-01T07:00:00Z")), Is.False, "02:00 EST");
        Assert.That(ny.ClosedSince(Utc("2026-11-01T08:00:00Z")), Is.EqualTo(Utc("2026-11-01T07:00:00Z")));
    }

    [Test]
    public void IsOpen_OnSaoPaulosHistoricalDstStart_MidnightThatDidNotExist()
    {
        // Brazil's last DST began Sunday 2018-11-04: 00:00 BRT (-3) jumped to 01:00 BRST (-2), so local midnight never happened.
        var sunday = Schedule("America/Sao_Paulo", (DayOfWeek.Saturday, I("20:00", "00:00")), (DayOfWeek.Sunday, I("09:00", "12:00")));
        Assert.That(sunday.IsOpen(Utc("2018-11-04T02:59:00Z")), Is.True, "Saturday 23:59 BRT");
        Assert.That(sunday.IsOpen(Utc("2018-11-04T03:00:00Z")), Is.False, "Sunday 01:00 BRST");
        Assert.That(sunday.IsOpen(Utc("2018-11-04T11:00:00Z")), Is.True, "Sunday 09:00 BRST is 11:00 UTC");
        Assert.That(sunday.IsOpen(Utc("2018-11-04T10:59:00Z")), Is.False);
        // The skipped midnight is taken as the moment of the jump.
        Assert.That(sunday.ClosedSince(Utc("2018-11-04T05:00:00Z")), Is.EqualTo(Utc("2018-11-04T03:00:00Z")));
    }

    [Test]
    public void FindZone_WhenUnknown_IsUtc() =>
        Assert.That(BusinessHoursSchedule.FindZone("Mars/Olympus_Mons"), Is.EqualTo(TimeZoneInfo.Utc));
}
