using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Application.Inbox;
using HybridFlow.Domain.Inbox;
using Npgsql;
using NpgsqlTypes;

namespace HybridFlow.Infrastructure.Persistence.Inbox;

/// <summary>The inbox's writes: a conversation's assignee, tags and resolution under its session lock, notes, and read marks.</summary>
public sealed class InboxStore : IInboxStore
{
    private readonly NpgsqlDataSource _db;

    public InboxStore(NpgsqlDataSource db) => _db = db;

    public async Task<IConversationTransaction?> OpenAsync(ConversationScope scope, long sessionId, CancellationToken ct)
    {
        var where = new SqlConditions();
        where.Add($"s.id = {where.Arg(sessionId)}");
        InboxQueries.AddVisibility(where, scope);
        var connection = await _db.OpenConnectionAsync(ct);
        NpgsqlTransaction? tx = null;
        try
        {
            tx = await connection.BeginTransactionAsync(ct);
            Conversation? conversation = null;
            await using (var cmd = connection.Command(
                $"SELECT s.id, s.tenant_id, s.assignee_user_id, s.tags, s.resolved_at FROM sessions s WHERE {where} FOR UPDATE", tx, [.. where.Args]))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                if (await r.ReadAsync(ct))
                    conversation = Conversation.Restore(r.GetInt64(0), r.GetInt64(1), r.IsDBNull(2) ? null : r.GetInt64(2),
                        r.GetFieldValue<string[]>(3), SqlMapping.Time(r, 4));
            }
            if (conversation is not null) return new ConversationTransaction(connection, tx, conversation);
            await tx.DisposeAsync();
            await connection.DisposeAsync();
            return null;
        }
        catch
        {
            if (tx is not null) await tx.DisposeAsync();
            await connection.DisposeAsync();
            throw;
        }
    }

    public async Task<NoteDto> AddNoteAsync(long tenantId, long sessionId, PersonDto author, string text, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            INSERT INTO inbox_notes (tenant_id, session_id, author_user_id, author_name, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            RETURNING id, created_at
            """, null, tenantId, sessionId, author.Id ?? (object)new NullOf(NpgsqlDbType.Bigint), author.DisplayName, text, now);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return new NoteDto(r.GetInt64(0), SqlMapping.Time(r, 1)!.Value, text, author);
    }

    public async Task MarkReadAsync(long sessionId, long userId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        // The newest message in the thread's order (unread counts compare with it); messages are only ever added, so it never moves back.
        await using var cmd = connection.Command("""
            INSERT INTO inbox_reads (session_id, user_id, last_read_message_id, read_at)
            SELECT $1, $2, COALESCE((SELECT m.id FROM messages m WHERE m.session_id = $1 ORDER BY m.sent_at DESC, m.id DESC LIMIT 1), 0), $3
            ON CONFLICT (session_id, user_id) DO UPDATE SET last_read_message_id = EXCLUDED.last_read_message_id, read_at = EXCLUDED.read_at
            """, null, sessionId, userId, now);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed class ConversationTransaction : IConversationTransaction
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlTransaction _tx;
        private readonly List<NpgsqlBatchCommand> _events = [];

        public ConversationTransaction(NpgsqlConnection connection, NpgsqlTransaction tx, Conversation conversation)
        {
            _connection = connection;
            _tx = tx;
            Conversation = conversation;
        }

        public Conversation Conversation { get; }

        public Task AddTimelineEventAsync(string action, string? detail, DateTimeOffset now, CancellationToken ct)
        {
            _events.Add(SqlMapping.TimelineEventCommand(Conversation.TenantId, Conversation.SessionId, null, action, detail, now));
            return Task.CompletedTask;
        }

        public async Task CommitAsync(CancellationToken ct)
        {
            await using var batch = new NpgsqlBatch(_connection, _tx);
            var c = Conversation;
            batch.BatchCommands.Add(SqlMapping.BatchCommand(
                "UPDATE sessions SET assignee_user_id = $2, tags = $3, resolved_at = $4 WHERE id = $1",
                c.SessionId, c.AssigneeUserId ?? (object)new NullOf(NpgsqlDbType.Bigint), c.Tags.ToArray(), SqlMapping.TimeOrNull(c.ResolvedAt)));
            foreach (var e in _events) batch.BatchCommands.Add(e);
            await batch.ExecuteNonQueryAsync(ct);
            await _tx.CommitAsync(ct);
        }

        public async ValueTask DisposeAsync()
        {
            await _tx.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
