using System.Text.Json;
using System.Text.Json.Serialization;
using HybridFlow.Application.Tenants;
using HybridFlow.Domain.Tenants;

namespace HybridFlow.Infrastructure.Persistence.Tenants;

/// <summary>
/// tenants.conversation: only the settings that differ from the defaults, under the API's names, so a stored tenant
/// follows a default that changes later. Unknown or unreadable keys fall back to the default rather than failing a reply.
/// </summary>
internal static class ConversationSettingsJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize(ConversationSettings s)
    {
        var d = ConversationSettings.Default;
        var stored = new Stored
        {
            TypingIndicator = s.TypingIndicator == d.TypingIndicator ? null : s.TypingIndicator,
            TypingMsPerChar = s.TypingMsPerChar == d.TypingMsPerChar ? null : s.TypingMsPerChar,
            SplitMessages = s.SplitMessages == d.SplitMessages ? null : s.SplitMessages,
            MaxReplyParts = s.MaxReplyParts == d.MaxReplyParts ? null : s.MaxReplyParts,
            HandoffKeywords = s.HandoffKeywords.SequenceEqual(d.HandoffKeywords) ? null : s.HandoffKeywords,
            HandoffMessage = s.HandoffMessage,
            Timezone = s.Timezone == d.Timezone ? null : s.Timezone,
            BusinessHours = BusinessHoursFormat.Format(s.BusinessHours),
            OutsideHours = s.OutsideHours == d.OutsideHours ? null : s.OutsideHours.ToName(),
            AwayMessage = s.AwayMessage,
            TranscriptionModel = s.TranscriptionModel,
            VisionModel = s.VisionModel,
            UnsupportedMediaReply = s.UnsupportedMediaReply,
            HistoryTokenBudget = s.HistoryTokenBudget == d.HistoryTokenBudget ? null : s.HistoryTokenBudget,
            StaleMessageMinutes = s.StaleMessageMinutes == d.StaleMessageMinutes ? null : s.StaleMessageMinutes,
            Language = s.Language == d.Language ? null : s.Language,
        };
        return JsonSerializer.Serialize(stored, Options);
    }

    public static ConversationSettings Deserialize(string? json)
    {
        if (string.IsNullOrWhiteSpace(json) || json == "{}") return ConversationSettings.Default;
        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(json, Options);
        }
        catch (JsonException)
        {
            return ConversationSettings.Default;
        }
        if (stored is null) return ConversationSettings.Default;
        var d = ConversationSettings.Default;
        return new ConversationSettings
        {
            TypingIndicator = stored.TypingIndicator ?? d.TypingIndicator,
            TypingMsPerChar = stored.TypingMsPerChar ?? d.TypingMsPerChar,
            SplitMessages = stored.SplitMessages ?? d.SplitMessages,
            MaxReplyParts = stored.MaxReplyParts ?? d.MaxReplyParts,
            HandoffKeywords = stored.HandoffKeywords ?? d.HandoffKeywords,
            HandoffMessage = stored.HandoffMessage,
            Timezone = stored.Timezone ?? d.Timezone,
            BusinessHours = BusinessHoursFormat.Problem(stored.BusinessHours) is null ? BusinessHoursFormat.Parse(stored.BusinessHours) : null,
            OutsideHours = OutsideHoursPolicyNames.Parse(stored.OutsideHours),
            AwayMessage = stored.AwayMessage,
            TranscriptionModel = stored.TranscriptionModel,
            VisionModel = stored.VisionModel,
            UnsupportedMediaReply = stored.UnsupportedMediaReply,
            HistoryTokenBudget = stored.HistoryTokenBudget ?? d.HistoryTokenBudget,
            StaleMessageMinutes = stored.StaleMessageMinutes ?? d.StaleMessageMinutes,
            Language = TenantLanguages.IsKnown(stored.Language) ? stored.Language! : d.Language,
        };
    }

    private sealed class Stored
    {
        public bool? TypingIndicator { get; set; }
        public int? TypingMsPerChar { get; set; }
        public bool? SplitMessages { get; set; }
        public int? MaxReplyParts { get; set; }
        public IReadOnlyList<string>? HandoffKeywords { get; set; }
        public string? HandoffMessage { get; set; }
        public string? Timezone { get; set; }
        public IReadOnlyDictionary<string, IReadOnlyList<IReadOnlyList<string>>>? BusinessHours { get; set; }
        public string? OutsideHours { get; set; }
        public string? AwayMessage { get; set; }
        public string? TranscriptionModel { get; set; }
        public string? VisionModel { get; set; }
        public string? UnsupportedMediaReply { get; set; }
        public int? HistoryTokenBudget { get; set; }
        public int? StaleMessageMinutes { get; set; }
        public string? Language { get; set; }
    }
}
