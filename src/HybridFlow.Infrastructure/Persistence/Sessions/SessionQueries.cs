using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Sessions;
using HybridFlow.Domain.Replies;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Microsoft.EntityFrameworkCore;

namespace HybridFlow.Infrastructure.Persistence.Sessions;

public sealed class SessionQueries : ISessionQueries
{
    private readonly HybridFlowDbContext _db;

    public SessionQueries(HybridFlowDbContext db) => _db = db;

    public Task<SessionDto?> FindAsync(SessionLocator locator, CancellationToken ct)
    {
        var needsAttention = ReplyJobNames.NeedsAttention;
        var query = _db.Sessions.AsNoTracking();
        query = locator.SessionId is { } id
            ? query.Where(s => s.Id == id && (locator.TenantId == null || s.TenantId == locator.TenantId))
            : query.Where(s => s.Instance!.InstanceName == locator.InstanceName && s.ChatId == locator.ChatId
                               && (locator.TenantId == null || s.TenantId == locator.TenantId));
        return query.Select(s => new SessionDto(
                s.Id, s.TenantId, s.Instance!.InstanceName, s.ChatId, s.IsPaused, s.PauseReason, s.PausedUntil,
                s.LastMessageAt, s.LastHumanAt, s.CreatedAt, s.UpdatedAt,
                s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)))
            .FirstOrDefaultAsync(ct);
    }

    public async Task<(IReadOnlyList<SessionDto> Items, long Total)> ListAsync(
        long? tenantId, SessionFilter filter, int page, int pageSize, CancellationToken ct, string? pauseReason = null)
    {
        var needsAttention = ReplyJobNames.NeedsAttention;
        var query = _db.Sessions.AsNoTracking().Where(s => tenantId == null || s.TenantId == tenantId);
        query = filter switch
        {
            SessionFilter.Active => query.Where(s => !s.IsPaused),
            SessionFilter.Paused => query.Where(s => s.IsPaused),
            SessionFilter.NeedsAttention => query.Where(s => s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)),
            _ => query,
        };
        if (pauseReason is not null) query = query.Where(s => s.IsPaused && s.PauseReason == pauseReason);
        var total = await query.LongCountAsync(ct);
        var items = await query
            .OrderByDescending(s => s.LastMessageAt ?? s.CreatedAt).ThenByDescending(s => s.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(s => new SessionDto(
                s.Id, s.TenantId, s.Instance!.InstanceName, s.ChatId, s.IsPaused, s.PauseReason, s.PausedUntil,
                s.LastMessageAt, s.LastHumanAt, s.CreatedAt, s.UpdatedAt,
                s.NeedsAttention || _db.ReplyJobs.Any(j => j.SessionId == s.Id && j.Status == needsAttention)))
            .ToListAsync(ct);
        return (items, total);
    }
}
