using System.Globalization;
using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Common.Models;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Application.Tenants;

/// <summary>
/// The conversation settings a POST or PATCH /api/tenants sets: an absent field keeps the stored value (a new tenant: the
/// default), JSON null restores the default. <see cref="BusinessHours"/> uses the API's shape, e.g.
/// <c>{"mon": [["09:00","18:00"]]}</c>.
/// </summary>
public sealed record ConversationSettingsPatch
{
    public Optional<bool?> TypingIndicator { get; init; }
    public Optional<int?> TypingMsPerChar { get; init; }
    public Optional<bool?> SplitMessages { get; init; }
    public Optional<int?> MaxReplyParts { get; init; }
    public Optional<IReadOnlyList<string>?> HandoffKeywords { get; init; }
    public Optional<string?> HandoffMessage { get; init; }
    public Optional<string?> Timezone { get; init; }
    public Optional<IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>?> BusinessHours { get; init; }
    public Optional<string?> OutsideHours { get; init; }
    public Optional<string?> AwayMessage { get; init; }
    public Optional<string?> TranscriptionModel { get; init; }
    public Optional<string?> VisionModel { get; init; }
    public Optional<string?> UnsupportedMediaReply { get; init; }
    public Optional<int?> HistoryTokenBudget { get; init; }
    public Optional<int?> StaleMessageMinutes { get; init; }
    /// <summary>pt, es or en; null: the one the time zone suggests (<see cref="TenantLanguages.ForTimeZone"/>).</summary>
    public Optional<string?> Language { get; init; }

    public static readonly ConversationSettingsPatch None = new();

    public bool IsEmpty => !(TypingIndicator.HasValue || TypingMsPerChar.HasValue || SplitMessages.HasValue || MaxReplyParts.HasValue
                             || HandoffKeywords.HasValue || HandoffMessage.HasValue || Timezone.HasValue || BusinessHours.HasValue
                             || OutsideHours.HasValue || AwayMessage.HasValue || TranscriptionModel.HasValue || VisionModel.HasValue
                             || UnsupportedMediaReply.HasValue || HistoryTokenBudget.HasValue
                             || StaleMessageMinutes.HasValue || Language.HasValue);

    /// <summary>The settings after this patch; call it on validated input only.</summary>
    public ConversationSettings ApplyTo(ConversationSettings current)
    {
        var d = ConversationSettings.Default;
        return current with
        {
            TypingIndicator = Pick(TypingIndicator, current.TypingIndicator, d.TypingIndicator),
            TypingMsPerChar = Pick(TypingMsPerChar, current.TypingMsPerChar, d.TypingMsPerChar),
            SplitMessages = Pick(SplitMessages, current.SplitMessages, d.SplitMessages),
            MaxReplyParts = Pick(MaxReplyParts, current.MaxReplyParts, d.MaxReplyParts),
            HandoffKeywords = HandoffKeywords.HasValue
                ? HandoffKeywords.Value?.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList() ?? d.HandoffKeywords
                : current.HandoffKeywords,
            HandoffMessage = Text(HandoffMessage, current.HandoffMessage),
            Timezone = Timezone.HasValue ? NonBlank(Timezone.Value) ?? d.Timezone : current.Timezone,
            BusinessHours = BusinessHours.HasValue ? BusinessHoursFormat.Parse(BusinessHours.Value) : current.BusinessHours,
            OutsideHours = OutsideHours.HasValue ? OutsideHoursPolicyNames.Parse(OutsideHours.Value) : current.OutsideHours,
            AwayMessage = Text(AwayMessage, current.AwayMessage),
            TranscriptionModel = Name(TranscriptionModel, current.TranscriptionModel),
            VisionModel = Name(VisionModel, current.VisionModel),
            UnsupportedMediaReply = Text(UnsupportedMediaReply, current.UnsupportedMediaReply),
            HistoryTokenBudget = Pick(HistoryTokenBudget, current.HistoryTokenBudget, d.HistoryTokenBudget),
            StaleMessageMinutes = Pick(StaleMessageMinutes, current.StaleMessageMinutes, d.StaleMessageMinutes),
            Language = Language.HasValue
                ? NonBlank(Language.Value)?.ToLowerInvariant() ?? TenantLanguages.ForTimeZone(Timezone.HasValue ? NonBlank(Timezone.Value) : current.Timezone)
                : current.Language,
        };
    }

    /// <summary>A new tenant's settings: the patch on the defaults, the language (when not given) from the time zone.</summary>
    public ConversationSettings ForNewTenant()
    {
        var settings = ApplyTo(ConversationSettings.Default);
        return Language.HasValue ? settings : settings with { Language = TenantLanguages.ForTimeZone(settings.Timezone) };
    }

    private static T Pick<T>(Optional<T?> patch, T current, T fallback) where T : struct =>
        patch.HasValue ? patch.Value ?? fallback : current;

    private static string? Text(Optional<string?> patch, string? current) =>
        patch.HasValue ? (string.IsNullOrWhiteSpace(patch.Value) ? null : patch.Value.Trim()) : current;

    private static string? Name(Optional<string?> patch, string? current) => patch.HasValue ? NonBlank(patch.Value) : current;

    private static string? NonBlank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>The API's shape of business hours: day keys mon..sun, each a list of ["HH:mm","HH:mm"] intervals.</summary>
public static class BusinessHoursFormat
{
    public const int IntervalsPerDayMax = 6;

    private static readonly (string Key, DayOfWeek Day)[] Days =
    [
        ("mon", DayOfWeek.Monday), ("tue", DayOfWeek.Tuesday), ("wed", DayOfWeek.Wednesday), ("thu", DayOfWeek.Thursday),
        ("fri", DayOfWeek.Friday), ("sat", DayOfWeek.Saturday), ("sun", DayOfWeek.Sunday),
    ];

    /// <summary>Why the value is not valid business hours, or null when it is.</summary>
    public static string? Problem(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? hours)
    {
        if (hours is null) return null;
        foreach (var (key, intervals) in hours)
        {
            if (Days.All(d => d.Key != key)) return $"unknown day '{Shorten(key)}'; use mon, tue, wed, thu, fri, sat, sun.";
            if (intervals is null) return $"{key} must be a list of [\"HH:mm\", \"HH:mm\"] intervals.";
            if (intervals.Count > IntervalsPerDayMax) return $"{key} has more than {IntervalsPerDayMax} intervals.";
            foreach (var interval in intervals)
            {
                if (interval is not { Count: 2 } || !TryTime(interval[0], out var open) || !TryTime(interval[1], out var close))
                    return $"{key}: each interval is [\"HH:mm\", \"HH:mm\"], e.g. [\"09:00\", \"18:00\"].";
                if (open == close) return $"{key}: an interval cannot open and close at the same time.";
            }
        }
        return null;
    }

    public static IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? Parse(IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? hours)
    {
        if (hours is null) return null;
        var schedule = new Dictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>();
        foreach (var (key, day) in Days)
        {
            if (!hours.TryGetValue(key, out var intervals)) continue;
            schedule[day] = intervals.Select(i => new OpeningInterval(Time(i[0]), Time(i[1]))).OrderBy(i => i.Open).ToList();
        }
        return schedule;
    }

    public static IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? Format(IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningInterval>>? schedule)
    {
        if (schedule is null) return null;
        var hours = new Dictionary<string, IReadOnlyList<IReadOnlyList<string>>>();
        foreach (var (key, day) in Days)
            if (schedule.TryGetValue(day, out var intervals))
                hours[key] = intervals.Select(i => (IReadOnlyList<string>)[Format(i.Open), Format(i.Close)]).ToList();
        return hours;
    }

    private static string Format(TimeOnly t) => t.ToString("HH:mm", CultureInfo.InvariantCulture);

    private static TimeOnly Time(string s) => TryTime(s, out var t) ? t : throw new FormatException("Not HH:mm.");

    private static bool TryTime(string? s, out TimeOnly time)
    {
        time = default;
        if (s is null) return false;
        // "24:00" closes at midnight, the same as "00:00" as a closing time.
        if (s.Trim() == "24:00") return true;
        return TimeOnly.TryParseExact(s.Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out time);
    }

    private static string Shorten(string s) => s.Length <= 20 ? s : s[..20] + "…";
}

/// <summary>The rules shared by POST and PATCH; property names are the API's.</summary>
public sealed class ConversationSettingsPatchValidator : AbstractValidator<ConversationSettingsPatch>
{
    private static readonly ConversationSettingsPatchValidator Instance = new();

    /// <summary>Adds these rules to a command's validator with the API's field names (no "Conversation." prefix).</summary>
    public static void AddTo<T>(AbstractValidator<T> validator, Func<T, ConversationSettingsPatch> patch) =>
        validator.RuleFor(c => c).Custom((command, context) =>
        {
            foreach (var failure in Instance.Validate(patch(command)).Errors) context.AddFailure(failure);
        });

    public ConversationSettingsPatchValidator()
    {
        When(p => p.TypingMsPerChar is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.TypingMsPerChar.Value).InclusiveBetween(0, ConversationSettings.TypingMsPerCharMax).OverridePropertyName("typing_ms_per_char"));
        When(p => p.MaxReplyParts is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.MaxReplyParts.Value).InclusiveBetween(1, ConversationSettings.MaxReplyPartsMax).OverridePropertyName("max_reply_parts"));
        When(p => p.HandoffKeywords is { HasValue: true, Value: not null }, () =>
        {
            RuleFor(p => p.HandoffKeywords.Value!.Count).LessThanOrEqualTo(ConversationSettings.HandoffKeywordsMax)
                .WithMessage($"handoff_keywords holds at most {ConversationSettings.HandoffKeywordsMax} phrases.").OverridePropertyName("handoff_keywords");
            RuleForEach(p => p.HandoffKeywords.Value).Must(k => k is not null && k.Length <= ConversationSettings.HandoffKeywordMaxLength)
                .WithMessage($"each handoff keyword is text of at most {ConversationSettings.HandoffKeywordMaxLength} characters.")
                .OverridePropertyName("handoff_keywords");
        });
        foreach (var (field, name) in new (Func<ConversationSettingsPatch, Optional<string?>>, string)[]
                 {
                     (p => p.HandoffMessage, "handoff_message"), (p => p.AwayMessage, "away_message"), (p => p.UnsupportedMediaReply, "unsupported_media_reply"),
                 })
        {
            RuleFor(p => field(p).Value).MaximumLength(ConversationSettings.CannedMessageMaxLength).When(p => field(p).HasValue).OverridePropertyName(name);
        }
        foreach (var (field, name) in new (Func<ConversationSettingsPatch, Optional<string?>>, string)[]
                 {
                     (p => p.TranscriptionModel, "transcription_model"), (p => p.VisionModel, "vision_model"),
                 })
        {
            RuleFor(p => field(p).Value).MaximumLength(TenantLimits.ModelMax).When(p => field(p).HasValue).OverridePropertyName(name);
        }
        When(p => p.Language is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.Language.Value).Must(v => TenantLanguages.IsKnown(v!.Trim().ToLowerInvariant()))
                .WithMessage($"language must be one of: {string.Join(", ", TenantLanguages.All)}.").WithErrorCode("one_of")
                .WithState(_ => ValidationParams.Of(("values", string.Join(", ", TenantLanguages.All)))).OverridePropertyName("language"));
        When(p => p.Timezone is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.Timezone.Value).Must(IsTimeZone)
                .WithMessage("timezone must be an IANA time zone name, e.g. America/Sao_Paulo or Europe/Lisbon.").OverridePropertyName("timezone"));
        When(p => p.BusinessHours.HasValue, () =>
            RuleFor(p => p.BusinessHours.Value).Must(h => BusinessHoursFormat.Problem(h) is null)
                .WithMessage(p => "business_hours: " + BusinessHoursFormat.Problem(p.BusinessHours.Value)).OverridePropertyName("business_hours"));
        When(p => p.OutsideHours is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.OutsideHours.Value).Must(v => OutsideHoursPolicyNames.All.Contains(v))
                .WithMessage($"outside_hours must be one of: {string.Join(", ", OutsideHoursPolicyNames.All)}.").OverridePropertyName("outside_hours"));
        When(p => p.HistoryTokenBudget is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.HistoryTokenBudget.Value).InclusiveBetween(100, ConversationSettings.HistoryTokenBudgetMax).OverridePropertyName("history_token_budget"));
        When(p => p.StaleMessageMinutes is { HasValue: true, Value: not null }, () =>
            RuleFor(p => p.StaleMessageMinutes.Value).InclusiveBetween(1, ConversationSettings.StaleMessageMinutesMax).OverridePropertyName("stale_message_minutes"));
    }

    private static bool IsTimeZone(string? id) => TimeZoneNames.IsKnown(id);
}
