namespace HybridFlow.Domain.Sessions;

public enum PauseReason
{
    HumanTakeover,
    Manual,
    /// <summary>The customer asked for a person (a keyword, or the model's request_human): the bot waits for one.</summary>
    HandoffRequested,
}

public static class PauseReasonNames
{
    public const string HumanTakeover = "human_takeover";
    public const string Manual = "manual";
    public const string HandoffRequested = "handoff_requested";
    public static readonly IReadOnlyList<string> All = [HumanTakeover, Manual, HandoffRequested];

    public static string ToName(this PauseReason reason) => reason switch
    {
        PauseReason.HumanTakeover => HumanTakeover,
        PauseReason.Manual => Manual,
        PauseReason.HandoffRequested => HandoffRequested,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static PauseReason? Parse(string? name) => name switch
    {
        null => null,
        HumanTakeover => PauseReason.HumanTakeover,
        Manual => PauseReason.Manual,
        HandoffRequested => PauseReason.HandoffRequested,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown pause reason."),
    };
}
