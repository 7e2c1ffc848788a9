namespace HybridFlow.Application.Replies;

/// <summary>The details of <c>ai_truncated</c>: how a reply cut at LLM_MAX_TOKENS was dealt with.</summary>
public static class TruncatedReplies
{
    /// <summary>Written again with twice LLM_MAX_TOKENS, and it fit.</summary>
    public const string Regenerated = "regenerated";
    /// <summary>Cut again with twice the tokens: sent up to its last complete sentence.</summary>
    public const string Cut = "cut";
}

/// <summary>One timeline event recorded with a send step, in its transaction.</summary>
public sealed record TimelineNote(string Action, string? Detail);
