using Dapper;
using HybridFlow.Application.Common.Interfaces;
using Npgsql;

namespace HybridFlow.Infrastructure.Identity;

/// <summary>IPasswordLinks over password_links (V0025): hashes only, one open link per user.</summary>
internal sealed class PasswordLinkStore : IPasswordLinks
{
    private readonly NpgsqlDataSource _db;

    public PasswordLinkStore(NpgsqlDataSource db) => _db = db;

    public async Task AddAsync(NewPasswordLink link, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE password_links SET superseded_at = @CreatedAt
            WHERE user_id = @UserId AND used_at IS NULL AND superseded_at IS NULL
            """, link, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO password_links (user_id, token_hash, purpose, created_by_user_id, created_at, expires_at)
            VALUES (@UserId, @TokenHash, @Purpose, @CreatedByUserId, @CreatedAt, @ExpiresAt)
            """, link, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }

    public async Task<OpenPasswordLink?> FindOpenAsync(string tokenHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition("""
            SELECT id, user_id, purpose, expires_at FROM password_links
            WHERE token_hash = @tokenHash AND used_at IS NULL AND superseded_at IS NULL AND expires_at > @now
            """, new { tokenHash, now }, cancellationToken: ct));
        return row is null ? null : new OpenPasswordLink(row.Id, row.UserId, row.Purpose, row.ExpiresAt);
    }

    public async Task<bool> TryUseAsync(long linkId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // One statement: of two requests using the same link at once, only one changes the row.
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE password_links SET used_at = @now
            WHERE id = @linkId AND used_at IS NULL AND superseded_at IS NULL AND expires_at > @now
            """, new { linkId, now }, cancellationToken: ct)) == 1;
    }

    public async Task<IReadOnlyDictionary<long, DateTimeOffset>> OpenLinkExpiriesAsync(IReadOnlyCollection<long> userIds, DateTimeOffset now, CancellationToken ct)
    {
        if (userIds.Count == 0) return new Dictionary<long, DateTimeOffset>();
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<OpenRow>(new CommandDefinition("""
            SELECT user_id, max(expires_at) AS expires_at FROM password_links
            WHERE user_id = ANY(@ids) AND used_at IS NULL AND superseded_at IS NULL AND expires_at > @now
            GROUP BY user_id
            """, new { ids = userIds.ToArray(), now }, cancellationToken: ct));
        return rows.ToDictionary(r => r.UserId, r => r.ExpiresAt);
    }

    private sealed class LinkRow
    {
        public long Id { get; init; }
        public long UserId { get; init; }
        public string Purpose { get; init; } = "";
        public DateTimeOffset ExpiresAt { get; init; }
    }

    private sealed class OpenRow
    {
        public long UserId { get; init; }
        public DateTimeOffset ExpiresAt { get; init; }
    }
}
