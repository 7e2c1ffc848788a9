using FluentValidation;
using HybridFlow.Application.Common.Exceptions;
using HybridFlow.Application.Inbox;
using HybridFlow.Application.Timeline;

namespace HybridFlow.Application.Tests.Timeline;

/// <summary>ADR-017: the timeline's details read back as codes, and validation failures as codes.</summary>
public sealed class TimelineDetailsTests
{
    [TestCase("typed by hand", "typed_by_hand")]
    [TestCase("sent by another client of the instance", "sent_by_other_client")]
    [TestCase("sent as agent from the inbox", "sent_as_agent_from_inbox")]
    [TestCase("sent as agent through the API", "sent_as_agent_through_api")]
    [TestCase("outside business hours: away message queued", "outside_hours_away_queued")]
    [TestCase("no message from the customer yet: only a template may be sent", "window_never_opened")]
    [TestCase("2 reply cancelled: human took over", "replies_cancelled_takeover")]
    [TestCase("to Carla (took the conversation over)", "assigned_on_takeover")]
    [TestCase("to Carla by Ana", "assigned_by")]
    [TestCase("from a deleted user by Ana", "unassigned_deleted_user_by")]
    [TestCase("from Carla by Ana", "unassigned_by")]
    [TestCase("by Ana", "by_person")]
    [TestCase("tags cleared by Ana", "tags_cleared_by")]
    [TestCase("vip, entrega (by Ana)", "tags_set_by")]
    [TestCase("until resumed", "paused_until_resumed")]
    [TestCase("for the quiet period (30 minutes)", "paused_quiet_period")]
    [TestCase("for 90 minutes", "paused_for_minutes")]
    public void A_detail_written_before_the_codes_reads_back_as_its_code(string detail, string code) =>
        Assert.That(TimelineDetails.Describe(detail)?.Code, Is.EqualTo(code));

    [Test]
    public void A_formatted_detail_reads_back_as_its_code_and_params()
    {
        var detail = TimelineDetails.Format(TimelineDetails.SentByPersonFromInbox, ("name", "Ana: from the inbox"));
        Assert.That(detail, Is.EqualTo("sent by Ana: from the inbox from the inbox"));
        var described = TimelineDetails.Describe(detail)!;
        Assert.That(described.Code, Is.EqualTo(TimelineDetails.SentByPersonFromInbox));
        Assert.That(described.Params, Is.EqualTo(new Dictionary<string, string> { ["name"] = "Ana: from the inbox" }));

        var stale = TimelineDetails.Describe(TimelineDetails.Format(TimelineDetails.StaleMessage, ("minutes", 45)))!;
        Assert.That((stale.Code, stale.Params["minutes"]), Is.EqualTo((TimelineDetails.StaleMessage, "45")));
        var window = TimelineDetails.Describe("the 24-hour window closed at 2026-12-07T09:00:00.0000000+00:00: only a template may be sent")!;
        Assert.That(window.Params["time"], Is.EqualTo("2026-12-07T09:00:00.0000000+00:00"));
    }

    [TestCase(null)]
    [TestCase("")]
    [TestCase("attempt 2: timeout")]
    [TestCase("typed by hand, twice")]
    public void A_detail_no_template_matches_has_no_code(string? detail)
    {
        Assert.That(TimelineDetails.Describe(detail), Is.Null);
        var item = new ThreadEventDto(1, DateTimeOffset.UnixEpoch, "send_failed", detail, null);
        Assert.That((item.Code, item.Params), Is.EqualTo(((string?)null, (IReadOnlyDictionary<string, string>?)null)));
    }

    private sealed record Note(string? Text, int Count);

    private sealed class NoteValidator : AbstractValidator<Note>
    {
        public NoteValidator()
        {
            RuleFor(n => n.Text).NotEmpty().MaximumLength(5).OverridePropertyName("text");
            RuleFor(n => n.Count).Must(c => c < 3).WithMessage("too many").WithErrorCode("too_many")
                .WithState(_ => ValidationParams.Of(("max_count", 2))).OverridePropertyName("count");
            RuleFor(n => n.Count).Must(c => c != 7).OverridePropertyName("count");
        }
    }

    [Test]
    public void Validation_failures_carry_a_code_and_params_per_message_in_order()
    {
        var failures = new NoteValidator().Validate(new Note("too long", 7)).Errors;
        var e = new RequestValidationException(failures);

        Assert.That(e.Errors["text"], Has.Length.EqualTo(1));
        Assert.That(e.Codes["text"].Single().Code, Is.EqualTo("maximum_length"));
        Assert.That(e.Codes["text"].Single().Params["max_length"], Is.EqualTo("5"));
        Assert.That(e.Codes["text"].Single().Params["total_length"], Is.EqualTo("8"));
        Assert.That(e.Codes["text"].Single().Params.ContainsKey("property_value"), Is.False, "the value itself is not echoed");
        Assert.That(e.Errors["count"], Has.Length.EqualTo(2));
        Assert.That(e.Codes["count"].Select(c => c.Code), Is.EqualTo(new[] { "too_many", "invalid" }));
        Assert.That(e.Codes["count"][0].Params["max_count"], Is.EqualTo("2"));
    }
}
