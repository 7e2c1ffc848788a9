using Dapper;
using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Inbox;
using HybridFlow.Domain.Inbox;
using HybridFlow.Infrastructure.Persistence.Messages;
using HybridFlow.Infrastructure.Persistence.Postgres;
using HybridFlow.Infrastructure.Persistence.ReadModels;
using HybridFlow.Infrastructure.Persistence.Sessions;
using HybridFlow.Infrastructure.Persistence.Timeline;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>The inbox's writes: a conversation's assignee, tags and resolution under its session lock, notes, and read marks.</summary>
internal sealed class InboxStore : IInboxStore
{
    private readonly NpgsqlDataSource _db;

    public InboxStore(NpgsqlDataSource db) => _db = db;

    public async Task<bool> UpdateConversationAsync(ConversationScope scope, long sessionId, Func<IConversationWork, CancellationToken, Task<bool>> decide, CancellationToken ct)
    {
        var where = new List<string>();
        var args = new DynamicParameters();
        where.Add($"s.id = {SqlWhere.Arg(args, "session_id", sessionId)}");
        InboxQueries.AddVisibility(where, args, scope);
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<ConversationRow>(new CommandDefinition(
            SessionCommands.LockConversationSql(SqlWhere.All(where)), args, tx, cancellationToken: ct));
        if (row is null) return false;
        var work = new ConversationWork(Conversation.Restore(row.Id, row.TenantId, row.AssigneeUserId, row.Tags, row.ResolvedAt));
        if (!await decide(work, ct)) return true;
        await using var batch = work.Writes(connection, tx);
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return true;
    }

    public async Task<NoteDto> AddNoteAsync(long tenantId, long sessionId, PersonDto author, string text, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        var note = await connection.QuerySingleAsync<NoteRow>(new CommandDefinition("""
            INSERT INTO inbox_notes (tenant_id, session_id, author_user_id, author_name, text, created_at)
            VALUES (@tenantId, @sessionId, @authorId, @authorName, @text, @now)
            RETURNING id, created_at
            """, new { tenantId, sessionId, authorId = PgArg.Bigint(author.Id), authorName = author.DisplayName, text, now = PgArg.Time(now) },
            cancellationToken: ct));
        return new NoteDto(note.Id, note.CreatedAt, text, author);
    }

    public async Task MarkReadAsync(long sessionId, long userId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The newest message in the thread's order (unread counts compare with it); messages are only ever added, so it never moves back.
        await connection.ExecuteAsync(new CommandDefinition($"""
            INSERT INTO inbox_reads (session_id, user_id, last_read_message_id, read_at)
            SELECT @sessionId, @userId, COALESCE({MessageCommands.NewestMessageIdOf("@sessionId")}, 0), @now
            ON CONFLICT (session_id, user_id) DO UPDATE SET last_read_message_id = EXCLUDED.last_read_message_id, read_at = EXCLUDED.read_at
            """, new { sessionId, userId, now = PgArg.Time(now) }, cancellationToken: ct));
    }

    private sealed class ConversationRow
    {
        public long Id { get; init; }
        public long TenantId { get; init; }
        public long? AssigneeUserId { get; init; }
        public string[] Tags { get; init; } = [];
        public DateTimeOffset? ResolvedAt { get; init; }
    }

    private sealed class NoteRow
    {
        public long Id { get; init; }
        public DateTimeOffset CreatedAt { get; init; }
    }

    private sealed class ConversationWork(Conversation conversation) : IConversationWork
    {
        private readonly List<NpgsqlBatchCommand> _events = [];

        public Conversation Conversation { get; } = conversation;

        public Task AddTimelineEventAsync(string action, string? detail, DateTimeOffset now, CancellationToken ct)
        {
            _events.Add(TimelineEvents.Command(Conversation.TenantId, Conversation.SessionId, null, action, detail, now));
            return Task.CompletedTask;
        }

        /// <summary>The conversation as the Domain left it, and its events, in one batch.</summary>
        public NpgsqlBatch Writes(NpgsqlConnection connection, NpgsqlTransaction tx)
        {
            var batch = new NpgsqlBatch(connection, tx);
            var c = Conversation;
            // The Conversation aggregate's own columns of the sessions row (ADR-014): only the inbox changes them.
            batch.BatchCommands.Add(SessionCommands.ConversationUpdateCommand(c));
            foreach (var e in _events) batch.BatchCommands.Add(e);
            return batch;
        }
    }
}
