namespace HybridFlow.Domain.Tenants;

public enum ReplyMode
{
    /// <summary>The built-in LLM answers.</summary>
    Ai,
    /// <summary>Messages are recorded and the chat state kept, but nothing is answered.</summary>
    Off,
}

public static class ReplyModeNames
{
    public const string Ai = "ai";
    public const string Off = "off";
    public static readonly IReadOnlyList<string> All = [Ai, Off];

    public static string ToName(this ReplyMode mode) => mode == ReplyMode.Off ? Off : Ai;

    public static ReplyMode Parse(string? name) => name switch
    {
        Off => ReplyMode.Off,
        _ => ReplyMode.Ai,
    };
}
