using HybridFlow.Application.Timeline;
using System.Globalization;
using System.Text.RegularExpressions;
using HybridFlow.Application.Sessions;

namespace HybridFlow.Application.Timeline;

/// <summary>
/// The timeline details a person reads, as a code and its values (ADR-017): the one table of English templates that
/// writes them (<see cref="Format"/>, where a detail is made) and reads them back (<see cref="Describe"/>, where a
/// timeline item is answered). The stored detail stays English text for API clients; the browser says the code in its
/// person's language. Reading back also gives the items written before the codes, and those the store writes in SQL,
/// their code. A detail no template matches (an error's text) has none.
/// </summary>
public static partial class TimelineDetails
{
    public const string TypedByHand = "typed_by_hand";
    public const string SentByOtherClient = "sent_by_other_client";
    public const string SentByPersonFromInbox = "sent_by_person_from_inbox";
    public const string SentAsAgentFromInbox = "sent_as_agent_from_inbox";
    public const string SentAsAgentThroughApi = "sent_as_agent_through_api";
    public const string ReplyParts = "reply_parts";
    public const string RepliesCancelledTakeover = "replies_cancelled_takeover";
    public const string RepliesCancelledHandoff = "replies_cancelled_handoff";
    public const string OutsideHoursSilent = "outside_hours_silent";
    public const string OutsideHoursAwayAlreadySent = "outside_hours_away_already_sent";
    public const string OutsideHoursAwayQueued = "outside_hours_away_queued";
    public const string StaleMessage = "stale_message";
    public const string WindowClosedAt = "window_closed_at";
    public const string WindowNeverOpened = "window_never_opened";
    public const string OwnerEdited = "owner_edited";
    public const string OwnerEditedMessage = "owner_edited_message";
    public const string AssignedOnTakeover = "assigned_on_takeover";
    public const string AssignedBy = "assigned_by";
    public const string UnassignedBy = "unassigned_by";
    public const string UnassignedDeletedUserBy = "unassigned_deleted_user_by";
    public const string ByPerson = "by_person";
    public const string TagsClearedBy = "tags_cleared_by";
    public const string TagsSetBy = "tags_set_by";
    public const string PausedUntilResumed = "paused_until_resumed";
    public const string PausedQuietPeriod = "paused_quiet_period";
    public const string PausedForMinutes = "paused_for_minutes";

    private static readonly (string Code, string Template)[] Templates =
    [
        (TypedByHand, "typed by hand"),
        (SentByOtherClient, "sent by another client of the instance"),
        (SentAsAgentFromInbox, "sent as agent from the inbox"),
        (SentAsAgentThroughApi, "sent as agent through the API"),
        (SentByPersonFromInbox, "sent by {name} from the inbox"),
        (ReplyParts, "{count} parts"),
        (RepliesCancelledTakeover, "{count} reply cancelled: " + CancelledReplies.TakeoverReason),
        (RepliesCancelledHandoff, "{count} reply cancelled: " + CancelledReplies.HandoffReason),
        (OutsideHoursSilent, "outside business hours: silent"),
        (OutsideHoursAwayAlreadySent, "outside business hours: the away message already went in this closed period"),
        (OutsideHoursAwayQueued, "outside business hours: away message queued"),
        (StaleMessage, "sent {minutes} minutes before it arrived: not answered by the bot; the chat needs a person"),
        (WindowClosedAt, "the 24-hour window closed at {time}: only a template may be sent"),
        (WindowNeverOpened, "no message from the customer yet: only a template may be sent"),
        (OwnerEdited, "the owner edited a message"),
        (OwnerEditedMessage, "the owner edited message {message_id}"),
        (AssignedOnTakeover, "to {name} (took the conversation over)"),
        (UnassignedDeletedUserBy, "from a deleted user by {actor}"),
        (AssignedBy, "to {name} by {actor}"),
        (UnassignedBy, "from {name} by {actor}"),
        (TagsClearedBy, "tags cleared by {actor}"),
        (ByPerson, "by {actor}"),
        (PausedUntilResumed, "until resumed"),
        (PausedQuietPeriod, "for the quiet period ({minutes} minutes)"),
        (PausedForMinutes, "for {minutes} minutes"),
        // Last: the most general shape.
        (TagsSetBy, "{tags} (by {actor})"),
    ];

    private static readonly Dictionary<string, string> TemplateByCode = Templates.ToDictionary(t => t.Code, t => t.Template);

    private static readonly (string Code, Regex Pattern)[] Patterns = Templates
        .Select(t => (t.Code, new Regex(
            "^" + PlaceholderPattern().Replace(Regex.Escape(t.Template).Replace(@"\{", "{", StringComparison.Ordinal), "(?<$1>.+?)") + "$",
            RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(50))))
        .ToArray();

    /// <summary>The English detail of <paramref name="code"/> with its values filled in.</summary>
    public static string Format(string code, params (string Name, object Value)[] values)
    {
        var text = TemplateByCode[code];
        foreach (var (name, value) in values)
            text = text.Replace("{" + name + "}", Convert.ToString(value, CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return text;
    }

    /// <summary>The code and values of a stored detail, or null when no template matches it.</summary>
    public static TimelineDetail? Describe(string? detail)
    {
        if (string.IsNullOrEmpty(detail) || detail.Length > 1_000) return null;
        foreach (var (code, pattern) in Patterns)
        {
            Match match;
            try { match = pattern.Match(detail); }
            catch (RegexMatchTimeoutException) { continue; }
            if (!match.Success) continue;
            var values = pattern.GetGroupNames().Where(n => !int.TryParse(n, out _))
                .ToDictionary(n => n, n => match.Groups[n].Value, StringComparer.Ordinal);
            return new TimelineDetail(code, values);
        }
        return null;
    }

    [GeneratedRegex(@"\{(\w+)\}")]
    private static partial Regex PlaceholderPattern();
}

/// <summary>A timeline detail's code and values, e.g. sent_by_person_from_inbox with {"name": "Ana Lima"}.</summary>
public sealed record TimelineDetail(string Code, IReadOnlyDictionary<string, string> Params);
