namespace HybridFlow.Application.Timeline;

public interface ITimelineQueries
{
    /// <summary>The tenant of a session, or null when there is no such session.</summary>
    Task<long?> TenantOfSessionAsync(long sessionId, CancellationToken ct);

    /// <summary>A page of the session's messages and events merged, oldest first.</summary>
    Task<(IReadOnlyList<TimelineItemDto> Items, long Total)> PageAsync(long sessionId, int page, int pageSize, CancellationToken ct);
}
