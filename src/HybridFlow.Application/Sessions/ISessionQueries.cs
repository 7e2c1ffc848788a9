using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Sessions;

public interface ISessionQueries
{
    Task<SessionDto?> FindAsync(SessionLocator locator, CancellationToken ct);

    /// <summary>A page of sessions, newest activity first; <paramref name="pauseReason"/> set: only chats paused for that reason.</summary>
    Task<(IReadOnlyList<SessionDto> Items, long Total)> ListAsync(
        long? tenantId, SessionFilter filter, int page, int pageSize, CancellationToken ct, string? pauseReason = null);

    /// <summary>Paused sessions that may be due for auto-resume, oldest first, with their tenant's quiet period.</summary>
    Task<IReadOnlyList<(long SessionId, TimeSpan QuietPeriod)>> FindAutoResumeCandidatesAsync(DateTimeOffset now, int limit, CancellationToken ct);
}
