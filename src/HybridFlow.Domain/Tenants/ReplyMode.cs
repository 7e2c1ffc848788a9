namespace HybridFlow.Domain.Tenants;

public enum ReplyMode
{
    /// <summary>The built-in LLM answers.</summary>
    Ai,
    /// <summary>Messages are recorded and the chat state kept, but nothing is answered.</summary>
    Off,
    /// <summary>The event is POSTed to an external workflow (e.g. n8n), which answers through the send-message API.</summary>
    Workflow,
}

public static class ReplyModeNames
{
    public const string Ai = "ai";
    public const string Off = "off";
    public const string Workflow = "workflow";
    public static readonly IReadOnlyList<string> All = [Ai, Workflow, Off];

    public static string ToName(this ReplyMode mode) => mode switch
    {
        ReplyMode.Off => Off,
        ReplyMode.Workflow => Workflow,
        _ => Ai,
    };

    public static ReplyMode Parse(string? name) => name switch
    {
        Off => ReplyMode.Off,
        Workflow => ReplyMode.Workflow,
        _ => ReplyMode.Ai,
    };
}
