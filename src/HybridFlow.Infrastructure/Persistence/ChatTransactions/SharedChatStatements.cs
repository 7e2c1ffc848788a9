using HybridFlow.Infrastructure.Persistence.Messages;
using HybridFlow.Infrastructure.Persistence.Sessions;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ChatTransactions;

/// <summary>One customer message of a shared transaction, as its opening statements need it.</summary>
internal sealed record OpenedChatRow(
    long TenantId, long InstanceId, string ChatId, DateTimeOffset Now, DateTimeOffset SentAt, string? ContactName,
    string ProviderMessageId, string Direction, string MessageType, string? Text, string RawJson, string? ProviderMediaId = null);

/// <summary>
/// The shared transaction's opening, one statement per table for the whole group, built by the tables' owners
/// (<see cref="SessionCommands"/>, <see cref="MessageCommands"/>): each binds one array per column and reads it back
/// with <c>unnest</c>. Where five statements per message cost PostgreSQL their fixed overhead five times per message,
/// these cost it once per group (ADR-011, "One statement per table"). The SQL text does not depend on the group's
/// size, so Npgsql prepares each statement once per connection.
/// Lookups go through <c>LATERAL (… LIMIT 1)</c>: the planner cannot turn them into a join that scans a tenant's
/// sessions (a generic plan did, measured), so each one stays one unique-index probe.
/// </summary>
internal static class SharedChatStatements
{
    /// <summary>
    /// The opening: create missing sessions, lock and read them (<see cref="SessionCommands.LockSessions"/>), append the messages.
    /// Results: the locked sessions in the rows' order, then the appended messages' (id, session_id, provider_message_id).
    /// </summary>
    public static void AddOpenCommands(NpgsqlBatch batch, IReadOnlyList<OpenedChatRow> rows, string extraSessionColumns)
    {
        batch.BatchCommands.Add(SessionCommands.CreateMissingSessions(rows, r => r.TenantId, r => r.InstanceId, r => r.ChatId,
            r => r.Now, r => r.SentAt, r => r.ContactName));
        batch.BatchCommands.Add(SessionCommands.LockSessions(rows, r => r.InstanceId, r => r.ChatId, extraSessionColumns));
        foreach (var command in MessageCommands.AppendMessages(rows)) batch.BatchCommands.Add(command);
    }
}
