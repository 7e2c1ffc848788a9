using HybridFlow.Application.Inbox.Contacts;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// A conversation's contact: the person's edits (<c>contacts</c>), WhatsApp's name, and the tenant's chats with the same
/// customer, found through each of the tenant's numbers by the sessions' (instance_id, chat_id) key.
/// </summary>
internal sealed class ContactQueries(NpgsqlDataSource db) : IContactQueries
{
    private const string Sql = """
        SELECT s.contact_name AS whatsapp_name, c.display_name, c.notes, c.updated_at, u.display_name AS updated_by,
               history.first_seen_at, history.conversations
        FROM sessions s
        LEFT JOIN contacts c ON c.tenant_id = s.tenant_id AND c.chat_id = s.chat_id
        LEFT JOIN users u ON u.id = c.updated_by_user_id
        CROSS JOIN LATERAL (
            SELECT min(o.created_at) AS first_seen_at, count(*) AS conversations
            FROM instances i JOIN sessions o ON o.instance_id = i.id AND o.chat_id = s.chat_id
            WHERE i.tenant_id = s.tenant_id) history
        WHERE s.id = $1
        """;

    public async Task<StoredContact> FindAsync(long sessionId, CancellationToken ct)
    {
        await using var command = db.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = sessionId });
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return new StoredContact(null, null, null, null, null, null, 0);
        return new StoredContact(
            r.GetTextOrNull(r.GetOrdinal("display_name")), r.GetTextOrNull(r.GetOrdinal("notes")), r.GetTimeOrNull(r.GetOrdinal("updated_at")),
            r.GetTextOrNull(r.GetOrdinal("updated_by")), r.GetTextOrNull(r.GetOrdinal("whatsapp_name")), r.GetTimeOrNull(r.GetOrdinal("first_seen_at")),
            r.GetInt64(r.GetOrdinal("conversations")));
    }
}
