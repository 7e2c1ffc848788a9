using HybridFlow.Application.Common.Interfaces;

namespace HybridFlow.Application.Sessions;

public interface ISessionQueries
{
    Task<SessionDto?> FindAsync(SessionLocator locator, CancellationToken ct);

    /// <summary>A page of sessions, newest activity first; <paramref name="pauseReason"/> set: only chats paused for that reason.</summary>
    Task<(IReadOnlyList<SessionDto> Items, long Total)> ListAsync(
        long? tenantId, SessionFilter filter, int page, int pageSize, CancellationToken ct, string? pauseReason = null);
}
