namespace HybridFlow.Infrastructure.Realtime;

public sealed record InboxStreamOptions
{
    /// <summary>INBOX_POLL_MS: how often each process reads the inbox events committed since its last read (ADR-011).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>INBOX_KEEPALIVE_SECONDS: how often an idle GET /api/inbox/events gets a <c>: keep-alive</c> comment, so proxies keep it open.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>INBOX_STREAMS_PER_USER: open streams per user or API key in one process; the next one is 429.</summary>
    public int StreamsPerCaller { get; init; } = 5;

    /// <summary>AUTH_REVALIDATE_SECONDS: how often an open stream checks that its key or login is still valid.</summary>
    public TimeSpan Revalidate { get; init; } = TimeSpan.FromSeconds(60);
}
