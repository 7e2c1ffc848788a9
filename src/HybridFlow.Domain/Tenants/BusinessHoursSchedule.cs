namespace HybridFlow.Domain.Tenants;

/// <summary>
/// A tenant's weekly opening hours in its time zone. The hours are wall-clock times: on a daylight-saving change an
/// interval covers the local times that exist that day (01:30–03:00 on a spring-forward night is open half an hour; a
/// 01:00–02:00 on a fall-back night is open through both passes of that hour). An interval whose close is not after
/// its open crosses midnight (fri 22:00–02:00 is open until 02:00 on Saturday); open equal to close is 24 hours.
/// </summary>
public sealed class BusinessHoursSchedule
{
    private const int LookBackDays = 8;
    private readonly IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? _hours;

    public BusinessHoursSchedule(TimeZoneInfo zone, IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? hours)
    {
        Zone = zone;
        _hours = hours;
    }

    public TimeZoneInfo Zone { get; }

    /// <summary>No hours set: always open.</summary>
    public bool AlwaysOpen => _hours is null;

    /// <summary>The tenant's schedule; an unknown time zone (the settings API refuses those) counts as UTC.</summary>
    public static BusinessHoursSchedule For(ConversationSettings settings) => new(FindZone(settings.Timezone), settings.BusinessHours);

    public static TimeZoneInfo FindZone(string? ianaName)
    {
        if (string.IsNullOrWhiteSpace(ianaName)) return TimeZoneInfo.Utc;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(ianaName);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return TimeZoneInfo.Utc;
        }
    }

    public bool IsOpen(DateTimeOffset instant)
    {
        if (_hours is null) return true;
        var local = TimeZoneInfo.ConvertTime(instant, Zone).DateTime;
        var today = DateOnly.FromDateTime(local);
        var time = TimeOnly.FromDateTime(local);
        foreach (var interval in IntervalsOf(today.DayOfWeek))
        {
            if (CrossesMidnight(interval) ? time >= interval.Open : time >= interval.Open && time < interval.Close) return true;
        }
        // Yesterday's interval that runs past midnight.
        foreach (var interval in IntervalsOf(today.AddDays(-1).DayOfWeek))
        {
            if (CrossesMidnight(interval) && time < interval.Close) return true;
        }
        return false;
    }

    /// <summary>
    /// When the closed period that <paramref name="instant"/> is in began (the last closing time before it); null when
    /// open. With no opening at all in the week, the chat is always closed: <see cref="DateTimeOffset.MinValue"/>.
    /// </summary>
    public DateTimeOffset? ClosedSince(DateTimeOffset instant)
    {
        if (IsOpen(instant)) return null;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, Zone).DateTime);
        DateTimeOffset? latest = null;
        for (var back = 0; back <= LookBackDays; back++)
        {
            var day = today.AddDays(-back);
            foreach (var interval in IntervalsOf(day.DayOfWeek))
            {
                var closeDay = CrossesMidnight(interval) ? day.AddDays(1) : day;
                var close = ToInstant(closeDay.ToDateTime(interval.Close));
                if (close <= instant && (latest is null || close > latest)) latest = close;
            }
        }
        return latest ?? DateTimeOffset.MinValue;
    }

    private IReadOnlyList<OpeningInterval> IntervalsOf(DayOfWeek day) =>
        _hours is not null && _hours.TryGetValue(day, out var intervals) ? intervals : [];

    private static bool CrossesMidnight(OpeningInterval interval) => interval.Close <= interval.Open;

    /// <summary>
    /// A local wall-clock time as an instant. One skipped by a spring-forward is moved forward by the gap; one that
    /// happens twice on a fall-back is its second pass (a closing time keeps the interval open through both).
    /// </summary>
    private DateTimeOffset ToInstant(DateTime local)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        TimeSpan offset;
        if (Zone.IsInvalidTime(local)) offset = Zone.GetUtcOffset(local.AddDays(-1));
        else if (Zone.IsAmbiguousTime(local)) offset = Zone.GetAmbiguousTimeOffsets(local).Min();
        else offset = Zone.GetUtcOffset(local);
        return new DateTimeOffset(local.Ticks - offset.Ticks, TimeSpan.Zero);
    }
}
