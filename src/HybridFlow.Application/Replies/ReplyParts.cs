using HybridFlow.Domain.Replies;

namespace HybridFlow.Application.Replies;

/// <summary>
/// The collision re-check's answer for one part of a job: <see cref="ReplyJobOutcome.SendBegun"/> with the part to send
/// now (<see cref="Part"/> of <see cref="PartCount"/>, zero-based), or why nothing may be sent.
/// </summary>
public sealed record BegunPart(ReplyJobOutcome Outcome, int Part = 0, int PartCount = 0, string? Text = null)
{
    public bool MaySend => Outcome == ReplyJobOutcome.SendBegun && Text is not null;

    public static BegunPart Of(ReplyJobOutcome outcome, ReplyJob job) =>
        outcome == ReplyJobOutcome.SendBegun ? new(outcome, job.PartIndex, job.Parts.Count, job.CurrentPart) : new(outcome);
}

/// <summary>
/// What a part that went out puts on the timeline: <see cref="Action"/> once the job is complete (the last part), or for
/// every part when <see cref="EveryPart"/> (a resolver's resend of one part is worth seeing).
/// </summary>
public sealed record PartTimeline(string Action, string? Detail = null, bool EveryPart = false);
