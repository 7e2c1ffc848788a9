namespace HybridFlow.Infrastructure.Persistence.Inbox;

internal sealed record InboxQueryOptions
{
    /// <summary>INBOX_QUERY_TIMEOUT_MS: every inbox read is stopped after this long (a search that is, answers 400 on q).</summary>
    public TimeSpan StatementTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
