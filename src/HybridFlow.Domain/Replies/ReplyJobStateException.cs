namespace HybridFlow.Domain.Replies;

/// <summary>A transition the job's current status does not allow: a bug in the caller, never a race (races come back as <see cref="ReplyJobOutcome.Lost"/>).</summary>
public sealed class ReplyJobStateException : InvalidOperationException
{
    public ReplyJobStateException(string message) : base(message) { }
}
