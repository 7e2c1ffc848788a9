using HybridFlow.Application.Common.Interfaces;
using HybridFlow.Infrastructure.Persistence.Postgres;
using Npgsql;

namespace HybridFlow.Infrastructure.Persistence.ReadModels;

/// <summary>
/// The customer's last message time a send checks WhatsApp's 24-hour window against: one read on the chat's session
/// (sessions_instance_chat_key) and its messages backwards (messages_session_sent_idx), outside any chat transaction.
/// </summary>
internal sealed class ServiceWindowQueries : IServiceWindowQueries
{
    private readonly NpgsqlDataSource _db;

    public ServiceWindowQueries(NpgsqlDataSource db) => _db = db;

    public async Task<DateTimeOffset?> LastCustomerMessageAtAsync(long instanceId, string chatId, CancellationToken ct)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var cmd = connection.Command("""
            SELECT m.sent_at AS last_customer_message_at FROM sessions s JOIN messages m ON m.session_id = s.id
            WHERE s.instance_id = $1 AND s.chat_id = $2 AND m.direction = 'inbound'
            ORDER BY m.sent_at DESC, m.id DESC
            LIMIT 1
            """, null, instanceId, chatId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? r.GetTimeOrNull(r.GetOrdinal("last_customer_message_at")) : null;
    }
}
