using HybridFlow.Application.Common.Models;
using HybridFlow.Application.Inbox.Contacts;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.Contacts;

/// <summary>The owner of <c>contacts</c>: a person's edits of a customer, one row per tenant and chat.</summary>
internal sealed class ContactStore(NpgsqlDataSource db) : IContactStore
{
    /// <summary>
    /// One upsert; $4 and $6 say whether the name and the notes were sent, so a field not sent keeps its value (a new
    /// row starts it as null).
    /// </summary>
    private const string SaveSql = """
        INSERT INTO contacts AS c (tenant_id, chat_id, display_name, notes, updated_at, updated_by_user_id)
        VALUES ($1, $2, CASE WHEN $4 THEN $3 END, CASE WHEN $6 THEN $5 END, $7, $8)
        ON CONFLICT (tenant_id, chat_id) DO UPDATE SET
            display_name = CASE WHEN $4 THEN $3 ELSE c.display_name END,
            notes = CASE WHEN $6 THEN $5 ELSE c.notes END,
            updated_at = $7,
            updated_by_user_id = $8
        """;

    public async Task SaveAsync(long tenantId, string chatId, Optional<string?> displayName, Optional<string?> notes, DateTimeOffset now, long? userId,
        CancellationToken ct)
    {
        await using var command = db.CreateCommand(SaveSql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = tenantId });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = chatId });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)displayName.GetValueOrDefault(null) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = displayName.HasValue });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)notes.GetValueOrDefault(null) ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = notes.HasValue });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)userId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bigint });
        await command.ExecuteNonQueryAsync(ct);
    }
}
