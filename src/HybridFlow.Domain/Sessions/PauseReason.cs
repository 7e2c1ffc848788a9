namespace HybridFlow.Domain.Sessions;

public enum PauseReason
{
    HumanTakeover,
    Manual,
}

public static class PauseReasonNames
{
    public const string HumanTakeover = "human_takeover";
    public const string Manual = "manual";

    public static string ToName(this PauseReason reason) => reason switch
    {
        PauseReason.HumanTakeover => HumanTakeover,
        PauseReason.Manual => Manual,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };

    public static PauseReason? Parse(string? name) => name switch
    {
        null => null,
        HumanTakeover => PauseReason.HumanTakeover,
        Manual => PauseReason.Manual,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Unknown pause reason."),
    };
}
