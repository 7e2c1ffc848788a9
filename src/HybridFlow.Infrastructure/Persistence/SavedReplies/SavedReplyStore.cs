using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.SavedReplies;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.SavedReplies;

/// <summary>The owner of <c>saved_replies</c>. The unique (tenant_id, shortcut) constraint decides a taken shortcut, races included.</summary>
internal sealed class SavedReplyStore : ISavedReplyStore
{
    private const string Columns = "id, tenant_id, shortcut, text, created_at, updated_at";
    private const string UniqueShortcut = "saved_replies_tenant_shortcut_key";

    private readonly NpgsqlDataSource _db;

    public SavedReplyStore(NpgsqlDataSource db) => _db = db;

    public async Task<IReadOnlyList<SavedReplyDto>> ListAsync(long tenantId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<SavedReplyRow>(new CommandDefinition(
            $"SELECT {Columns} FROM saved_replies WHERE tenant_id = @tenantId ORDER BY shortcut", new { tenantId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToDto())];
    }

    public async Task<(SavedReplyWrite Outcome, SavedReplyDto? Reply)> CreateAsync(long tenantId, string shortcut, string text, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<SavedReplyRow>(new CommandDefinition($"""
            INSERT INTO saved_replies (tenant_id, shortcut, text, created_at, updated_at)
            VALUES (@tenantId, @shortcut, @text, @now, @now)
            ON CONFLICT ON CONSTRAINT {UniqueShortcut} DO NOTHING
            RETURNING {Columns}
            """, new { tenantId, shortcut, text, now = PgArg.Time(now) }, cancellationToken: ct));
        return row is null ? (SavedReplyWrite.ShortcutTaken, null) : (SavedReplyWrite.Written, row.ToDto());
    }

    public async Task<(SavedReplyWrite Outcome, SavedReplyDto? Reply)> UpdateAsync(long tenantId, long replyId, string? shortcut, string? text, DateTimeOffset now,
        CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        try
        {
            var row = await connection.QuerySingleOrDefaultAsync<SavedReplyRow>(new CommandDefinition($"""
                UPDATE saved_replies SET shortcut = COALESCE(@shortcut, shortcut), text = COALESCE(@text, text), updated_at = @now
                WHERE id = @replyId AND tenant_id = @tenantId
                RETURNING {Columns}
                """, new { tenantId, replyId, shortcut = PgArg.Text(shortcut), text = PgArg.Text(text), now = PgArg.Time(now) },
                cancellationToken: ct));
            return row is null ? (SavedReplyWrite.NotFound, null) : (SavedReplyWrite.Written, row.ToDto());
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == UniqueShortcut)
        {
            return (SavedReplyWrite.ShortcutTaken, null);
        }
    }

    public async Task<bool> DeleteAsync(long tenantId, long replyId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM saved_replies WHERE id = @replyId AND tenant_id = @tenantId", new { tenantId, replyId }, cancellationToken: ct)) > 0;
    }

    private sealed class SavedReplyRow
    {
        public long Id { get; init; }
        public long TenantId { get; init; }
        public string Shortcut { get; init; } = "";
        public string Text { get; init; } = "";
        public DateTimeOffset CreatedAt { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }

        public SavedReplyDto ToDto() => new(Id, TenantId, Shortcut, Text, CreatedAt, UpdatedAt);
    }
}
