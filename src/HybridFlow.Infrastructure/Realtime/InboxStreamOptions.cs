namespace HybridFlow.Infrastructure.Realtime;

public sealed record InboxStreamOptions
{
    /// <summary>INBOX_KEEPALIVE_SECONDS: how often an idle GET /api/inbox/events gets a <c>: keep-alive</c> comment, so proxies keep it open.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(15);
}
